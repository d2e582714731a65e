// The reconciler loop of a process: a pass at start, one soon after every requestProxySync NOTIFY (a burst costs one
// pass, and a request during a pass gets exactly one more), one after the listener reconnects (requests may have
// been missed), and one every `intervalMs` (drift: Caddy restarted or was edited). Passes never overlap here, and the
// advisory lock in reconcileProxy keeps other processes' passes apart too.
import type pg from 'pg';

import { subscribe, type Unsubscribe } from '@/lib/deploy/notify';

import { reconcileProxy, type ProxyTarget, type SyncRecord } from './reconcile';
import { PROXY_CHANNEL } from './sync';

export type ProxyRunner = {
  /** Runs a pass now (after the one in progress, if any) and resolves with its record. */
  syncNow: (trigger: string) => Promise<SyncRecord>;
  stop: () => Promise<void>;
};

export type ProxyRunnerOptions = {
  pool: pg.Pool;
  target: ProxyTarget;
  ensureNetworks?: (projectIds: string[]) => Promise<void>;
  intervalMs?: number;
  /** How long a burst of requests is gathered before the pass. */
  delayMs?: number;
  log?: (line: string) => void;
  /** After every pass that left Caddy running our config (loaded, unchanged, repaired); its failures are logged. */
  onSynced?: (record: SyncRecord) => Promise<void>;
};

export async function startProxyRunner(options: ProxyRunnerOptions): Promise<ProxyRunner> {
  const { pool, target, ensureNetworks, intervalMs = 30_000, delayMs = 100 } = options;
  const log = options.log ?? ((line: string) => console.error(`[slipway proxy] ${line}`));
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let queued: string[] | null = null;

  const synced = async (record: SyncRecord): Promise<SyncRecord> => {
    if (
      options.onSynced &&
      (record.result === 'loaded' || record.result === 'unchanged' || record.result === 'repaired')
    )
      await options.onSynced(record).catch((error: unknown) => log(`after the sync: ${(error as Error).message}`));
    return record;
  };
  const pass = (trigger: string): Promise<SyncRecord> => {
    const next = chain.then(() => reconcileProxy(trigger, { pool, target, ensureNetworks })).then(synced);
    chain = next.catch((error: unknown) => log(`proxy sync (${trigger}) failed: ${(error as Error).message}`));
    void next.then(
      (record) => {
        if (record.result !== 'unchanged' && record.result !== 'loaded')
          log(`proxy sync (${trigger}): ${record.result}${record.error ? `: ${record.error}` : ''}`);
      },
      () => {},
    );
    return next;
  };

  // Requests gathered for delayMs become one pass; requests arriving while it waits join it.
  const request = (trigger: string) => {
    if (stopped) return;
    if (queued) {
      if (!queued.includes(trigger)) queued.push(trigger);
      return;
    }
    queued = [trigger];
    setTimeout(() => {
      const triggers = queued ?? [trigger];
      queued = null;
      if (!stopped) void pass(triggers.join(',').slice(0, 50)).catch(() => {});
    }, delayMs).unref();
  };

  const unsubscribe: Unsubscribe = await subscribe(pool, PROXY_CHANNEL, {
    onNotify: (payload) => request(payload || 'notify'),
    onReconnect: () => request('reconnect'),
  });
  const tick = () => {
    timer = setTimeout(() => {
      void pass('schedule')
        .catch(() => {})
        .finally(() => {
          if (!stopped) tick();
        });
    }, intervalMs);
    timer.unref();
  };
  void pass('start').catch(() => {});
  tick();

  return {
    syncNow: (trigger) => pass(trigger),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      await chain;
    },
  };
}
