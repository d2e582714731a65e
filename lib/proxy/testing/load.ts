// A bounded load client for the proxy's tests and bench: a fixed request rate to 127.0.0.1 only, with a Host header,
// counting every request that did not get a 2xx (status, connection error, timeout) and recording which body (the
// app's version) answered each one and when. Bounded three ways: the rate, the number in flight, and a hard cap on
// the run's length, so a forgotten stop can never turn into an open-ended flood.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export type LoadOptions = {
  port: number;
  /** The Host header: the proxy routes by it. */
  host: string;
  path?: string;
  /** Requests started per second (50 or more for the zero-downtime proof). */
  rate: number;
  /** Stop after this long; stop() may end it sooner. Never more than MAX_DURATION_MS. */
  durationMs?: number;
  timeoutMs?: number;
  /** Requests allowed in flight at once; a tick that finds this many skips its request and counts it as failed. */
  maxInFlight?: number;
};

export type Sample = {
  /** Milliseconds from the run's start to the request's start. */
  startedAt: number;
  latencyMs: number;
  /** The trimmed body of a 2xx answer; null for a failure. */
  body: string | null;
  error?: string;
};

export type LoadReport = {
  requests: number;
  ok: number;
  failed: number;
  /** Failures by cause: `status 502`, `ECONNRESET`, `timeout`, `overload` … */
  failures: Record<string, number>;
  samples: Sample[];
  /** Distinct bodies in the order each was first served (by request start). */
  versions: string[];
  latency: { p50: number; p99: number; max: number };
  durationMs: number;
};

export type LoadRun = {
  /** Ends the run: no new request starts; resolves with the report once those in flight settle. */
  stop: () => Promise<LoadReport>;
  /** Resolves when the run ends by itself (duration reached) or is stopped. */
  done: Promise<LoadReport>;
  /** The samples so far (live view, for waiting on an event such as the first `v2`). */
  samples: () => readonly Sample[];
  /** Milliseconds since the run started, on the same clock as Sample.startedAt. */
  elapsed: () => number;
};

export const MAX_DURATION_MS = 5 * 60_000;
const MAX_RATE = 2_000;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(samples: readonly Sample[], durationMs: number): LoadReport {
  const failures: Record<string, number> = {};
  const versions: string[] = [];
  for (const sample of [...samples].sort((a, b) => a.startedAt - b.startedAt)) {
    if (sample.body === null) failures[sample.error ?? 'failed'] = (failures[sample.error ?? 'failed'] ?? 0) + 1;
    else if (!versions.includes(sample.body)) versions.push(sample.body);
  }
  const latencies = samples.map((sample) => sample.latencyMs).sort((a, b) => a - b);
  const ok = samples.filter((sample) => sample.body !== null).length;
  return {
    requests: samples.length,
    ok,
    failed: samples.length - ok,
    failures,
    samples: [...samples],
    versions,
    latency: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
    },
    durationMs,
  };
}

/** One GET through a fresh connection (busybox httpd closes each one anyway); resolves, never rejects. */
function request(options: LoadOptions, agent: http.Agent): Promise<{ body: string | null; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path ?? '/',
        headers: { host: options.host },
        agent,
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ body: null, error: (error as NodeJS.ErrnoException).code ?? 'error' }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ body: Buffer.concat(chunks).toString('utf8').trim() });
          else resolve({ body: null, error: `status ${status}` });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (error) => resolve({ body: null, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  });
}

/** Starts sending `rate` requests a second to 127.0.0.1:`port` until `durationMs` passes or stop() is called. */
export function startLoad(options: LoadOptions): LoadRun {
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)
    throw new Error(`port ${options.port} is not a TCP port`);
  if (!(options.rate > 0 && options.rate <= MAX_RATE)) throw new Error(`rate must be between 1 and ${MAX_RATE}/s`);
  const durationMs = Math.min(options.durationMs ?? MAX_DURATION_MS, MAX_DURATION_MS);
  const maxInFlight = options.maxInFlight ?? Math.max(50, options.rate * 2);
  const agent = new http.Agent({ keepAlive: false, maxSockets: maxInFlight });
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const origin = performance.now();
  let sent = 0;
  let stopped = false;
  let finish!: (report: LoadReport) => void;
  const done = new Promise<LoadReport>((resolve) => (finish = resolve));

  const fire = () => {
    const startedAt = performance.now() - origin;
    if (inFlight.size >= maxInFlight) {
      samples.push({ startedAt, latencyMs: 0, body: null, error: 'overload' });
      return;
    }
    const pending = request(options, agent).then((result) => {
      samples.push({ startedAt, latencyMs: performance.now() - origin - startedAt, ...result });
      inFlight.delete(pending);
    });
    inFlight.add(pending);
  };

  // Requests are due at fixed instants (start + n / rate), so a late timer catches up instead of lowering the rate.
  const interval = 1000 / options.rate;
  const timer = setInterval(
    () => {
      const elapsed = performance.now() - origin;
      if (elapsed >= durationMs) return void end();
      while (sent * interval <= elapsed) {
        sent += 1;
        fire();
      }
    },
    Math.max(1, Math.floor(interval / 2)),
  );

  const end = async () => {
    if (stopped) return done;
    stopped = true;
    clearInterval(timer);
    const durationMs = performance.now() - origin;
    await Promise.all(inFlight);
    agent.destroy();
    finish(summarize(samples, durationMs));
    return done;
  };

  return { stop: end, done, samples: () => samples, elapsed: () => performance.now() - origin };
}

/** One line for a test's output: `redeploy: 812 requests, 0 failed, versions v1→v2, p50 2.1 ms, p99 9.8 ms`. */
export function describeLoad(label: string, report: LoadReport): string {
  const causes = Object.entries(report.failures)
    .map(([cause, count]) => `${count} ${cause}`)
    .join(', ');
  return (
    `${label}: ${report.requests} requests, ${report.failed} failed${causes ? ` (${causes})` : ''}, ` +
    `versions ${report.versions.join('→') || 'none'}, ` +
    `p50 ${report.latency.p50.toFixed(1)} ms, p99 ${report.latency.p99.toFixed(1)} ms, ` +
    `${((report.requests / report.durationMs) * 1000).toFixed(0)} req/s over ${(report.durationMs / 1000).toFixed(1)} s`
  );
}
