// How many runtime log lines a live viewer is sent: a service that floods its output (a loop printing as fast as it
// can, 100,000 lines a second) would otherwise make the browser hold and render every line until the tab dies. A
// viewer gets `burst` lines at once (the largest tail, so a replay is never cut) and then `perSecond` lines per
// second, one second's worth at a time; the rest are skipped and counted, and the stream says how many (D71).

export type LiveLogLimit = { perSecond: number; burst: number };

export const LIVE_LOG_LIMIT: LiveLogLimit = { perSecond: 1_000, burst: 5_000 };

export type LineBudget = {
  /** Whether one more line may be sent now. */
  take: () => boolean;
  /** Milliseconds until the budget grows again. */
  untilRefill: () => number;
};

export function lineBudget(limit: LiveLogLimit, now: () => number = Date.now): LineBudget {
  let lines = limit.burst;
  let since = now();
  const refill = () => {
    const seconds = Math.floor((now() - since) / 1000);
    if (seconds <= 0) return;
    lines = Math.min(limit.burst, lines + seconds * limit.perSecond);
    since += seconds * 1000;
  };
  return {
    take() {
      refill();
      if (lines <= 0) return false;
      lines -= 1;
      return true;
    },
    untilRefill() {
      refill();
      return Math.max(1, since + 1000 - now());
    },
  };
}
