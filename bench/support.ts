// What the benches share: timing, percentiles and number formats, and starting the servers they measure.
// Benches are not tests (nothing here imports vitest or e2e/): each prints its figures beside a baseline.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port for a child process to bind (the panel, embedded PostgreSQL): below the kernel's ephemeral range. */
export { freePort } from '@/lib/swarm/test-support';

export const ROOT = path.resolve(__dirname, '..');

/** Milliseconds since `start`, a performance.now() reading. */
export const ms = (start: number): number => performance.now() - start;

/** The nearest-rank percentile `p` (0–100) of an ascending list; NaN for an empty one. */
export function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A figure for a table column: two decimals under 10, one above, then `unit`, right-aligned to `width`. */
export function fmt(value: number, { width = 10, unit = ' ms' }: { width?: number; unit?: string } = {}): string {
  return `${value.toFixed(value < 10 ? 2 : 1)}${unit}`.padStart(width);
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Polls `url` until it answers 200; fails at once when `child` stops, showing the end of its `log` file. */
export async function waitForHealth(
  url: string,
  child: ChildProcess,
  { log, timeoutMs = 90_000 }: { log?: string; timeoutMs?: number } = {},
): Promise<void> {
  const tail = async () =>
    log ? `Its log:\n${(await readFile(log, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n')}` : '';
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    if (exited(child)) throw new Error(`The process serving ${url} stopped before it was healthy. ${await tail()}`);
    if (
      await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return;
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s. ${await tail()}`);
}

export type BenchServer = {
  server: http.Server;
  port: number;
  url: (pathname?: string) => string;
  close: () => Promise<void>;
};

/** `handler` behind a Node HTTP server on 127.0.0.1, on a port the kernel picks. */
export async function startServer(handler: http.RequestListener): Promise<BenchServer> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: (pathname = '/') => `http://127.0.0.1:${port}${pathname}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The built panel (`scripts/server.mjs`, what `npm start` runs) on `port`, in its own process group so stopProcess
 * reaches whatever it forks; its output goes to `log` (or nowhere). Resolves once /api/health answers 200.
 */
export async function startPanel(options: {
  env: NodeJS.ProcessEnv;
  port: number;
  log?: string;
  timeoutMs?: number;
}): Promise<ChildProcess> {
  const output = options.log ? openSync(options.log, 'a') : 'ignore';
  const panel = spawn(process.execPath, ['scripts/server.mjs'], {
    cwd: ROOT,
    env: { ...options.env, PORT: String(options.port) },
    detached: true,
    stdio: ['ignore', output, output],
  });
  if (typeof output === 'number') closeSync(output);
  try {
    await waitForHealth(`http://127.0.0.1:${options.port}/api/health`, panel, options);
  } catch (error) {
    await stopProcess(panel);
    throw error;
  }
  return panel;
}

/** SIGTERM to the child's process group (or the child alone when it has none), SIGKILL if still there after 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (exited(child) || !child.pid) return;
  const gone = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      child.kill(name);
    }
  };
  signal('SIGTERM');
  if (!(await Promise.race([gone, sleep(5_000).then(() => false)]))) signal('SIGKILL');
}
