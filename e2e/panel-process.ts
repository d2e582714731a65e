// Starting a built panel (scripts/server.mjs) as a child process for the e2e run and for specs that need a panel of
// their own. A free port can only be picked, released and handed over: another process may bind it first. So the
// panel is started on the port, and when it exits because the port was taken (EADDRINUSE), it is started again on
// another one. That retries the bind, never a test. The panel is ready once it printed that it listens on our port
// (so a health check cannot reach some other server that took the port).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { STATE_ENV, testingDatabase, type E2eState } from './global-teardown';
import { freePort, uniqueStamp } from './support';

const ROOT = path.resolve(__dirname, '..');
const ATTEMPTS = 5;
const KEEP_CHARS = 64 * 1024;

export type PanelProcess = {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** The last 64 KiB the panel printed (stdout and stderr). */
  output: () => string;
  /** Resolves when the process has exited (at once if it already has). */
  exited: () => Promise<void>;
};

export type StartPanelOptions = {
  /** The child's whole environment, given the port it listens on (SLIPWAY_URL depends on it). */
  env: (port: number) => NodeJS.ProcessEnv;
  /** Try this port first (a restart on the same address); a fresh free port otherwise. */
  port?: number;
  /** Its own process group, so one signal to -pid stops it and everything it forked. */
  detached?: boolean;
  /** A file that receives everything the panel prints, besides the in-memory tail. */
  logFile?: string;
  /** How long one start may take before it listens; on a loaded 2-core machine with migrations, a minute or more. */
  timeoutMs?: number;
};

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

function exitedPromise(child: ChildProcess): () => Promise<void> {
  const done = new Promise<void>((resolve) => {
    if (hasExited(child)) resolve();
    else child.once('exit', () => resolve());
  });
  return () => done;
}

/** Stops a panel started here: SIGTERM (to its group when detached), SIGKILL if still there after 10 s. */
export async function stopPanel(panel: PanelProcess, detached = false): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      if (detached && panel.child.pid) process.kill(-panel.child.pid, name);
      else panel.child.kill(name);
    } catch {
      // Already gone.
    }
  };
  // A detached panel's group is signalled even when the panel itself is gone: what it forked may still run.
  if (hasExited(panel.child) && !detached) return;
  signal('SIGTERM');
  const killer = setTimeout(() => signal('SIGKILL'), 10_000);
  await panel.exited();
  clearTimeout(killer);
}

type Outcome = { kind: 'listening' } | { kind: 'exited'; reason: string } | { kind: 'timeout' };

async function startOnce(port: number, options: StartPanelOptions): Promise<{ panel: PanelProcess; outcome: Outcome }> {
  const child = spawn(process.execPath, ['scripts/server.mjs'], {
    cwd: ROOT,
    env: options.env(port),
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : null;
  let output = '';
  const ready = `[slipway] listening on 127.0.0.1:${port} `;
  let settle: (outcome: Outcome) => void = () => {};
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  const onData = (chunk: Buffer) => {
    log?.write(chunk);
    output = (output + chunk.toString('utf8')).slice(-KEEP_CHARS);
    if (output.includes(ready)) settle({ kind: 'listening' });
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.once('error', (error) => settle({ kind: 'exited', reason: error.message }));
  child.once('exit', (code, signal) => {
    log?.end();
    settle({ kind: 'exited', reason: signal ? `signal ${signal}` : `exit code ${code}` });
  });
  const timer = setTimeout(() => settle({ kind: 'timeout' }), options.timeoutMs ?? 120_000);
  const result = await outcome;
  clearTimeout(timer);
  const panel: PanelProcess = {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    exited: exitedPromise(child),
  };
  return { panel, outcome: result };
}

/** A panel listening on 127.0.0.1, on `options.port` or a free port; see the file comment for the retry. */
export async function startPanel(options: StartPanelOptions): Promise<PanelProcess> {
  let port = options.port ?? (await freePort());
  for (let attempt = 1; ; attempt += 1) {
    const { panel, outcome } = await startOnce(port, options);
    if (outcome.kind === 'listening') return panel;
    if (outcome.kind === 'timeout') {
      await stopPanel(panel, options.detached);
      throw new Error(
        `The panel did not listen on port ${port} within ${(options.timeoutMs ?? 120_000) / 1000} s. It printed:\n${panel.output().slice(-4000)}`,
      );
    }
    // Whatever it forked (an embedded PostgreSQL) goes with it before the next try.
    await stopPanel(panel, options.detached);
    const taken = /EADDRINUSE/.test(panel.output());
    if (!taken || attempt >= ATTEMPTS) {
      throw new Error(
        `The panel stopped (${outcome.reason}) before it listened on port ${port}. It printed:\n${panel.output().slice(-4000)}`,
      );
    }
    port = await freePort();
  }
}

/** A panel's environment in production mode on 127.0.0.1:`port`, over this process's: `vars` add or override. */
export function panelEnv(port: number, vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SLIPWAY_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    HOSTNAME_BIND: '127.0.0.1',
    NODE_ENV: 'production',
    ...vars,
  };
}

const HEALTH_POLL_MS = 250;

/**
 * Resolves once the panel answers 200 on /api/health (it listens before Next.js has loaded the route). Throws with
 * the panel's last lines when it exits first or is not healthy within `timeoutMs`.
 */
export async function waitForHealth(panel: PanelProcess, timeoutMs = 90_000): Promise<void> {
  const url = `${panel.baseUrl}/api/health`;
  const tail = () => panel.output().split('\n').slice(-30).join('\n');
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const { exitCode, signalCode } = panel.child;
    if (exitCode !== null || signalCode !== null) {
      throw new Error(`The panel stopped (${signalCode ?? `exit code ${exitCode}`}) before it was healthy:\n${tail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(HEALTH_POLL_MS);
  }
  throw new Error(`The panel did not answer 200 at ${url} within ${timeoutMs / 1000} s (last: ${last}):\n${tail()}`);
}

/**
 * A second, healthy panel on the e2e run's database and data directory, so a browser session of the suite is valid
 * there too, for specs that read what a panel prints. It only answers: the e2e panel runs deployments and maintenance.
 */
export async function startAnsweringPanel(vars: Record<string, string | undefined> = {}): Promise<PanelProcess> {
  const state = JSON.parse(readFileSync(process.env[STATE_ENV]!, 'utf8')) as E2eState;
  const panel = await startPanel({
    env: (port) =>
      panelEnv(port, {
        DATABASE_URL: process.env.E2E_DATABASE_URL,
        SLIPWAY_DATA_DIR: state.dataDir,
        SLIPWAY_WORKER: 'off',
        SLIPWAY_MAINTENANCE: 'off',
        ...vars,
      }),
  });
  await waitForHealth(panel);
  return panel;
}

export type OwnPanel = { panel: PanelProcess; database: string; dataDir: string; stop: () => Promise<void> };

/**
 * A healthy panel on an empty database and data directory of its own (it migrates the database itself), for specs
 * that need a panel nobody else uses. `stop` stops it first (closing its connections), then drops both.
 */
export async function startOwnPanel(name: string, vars: Record<string, string | undefined> = {}): Promise<OwnPanel> {
  const { createEmptyDatabase, dropDatabase, roleUrl } = testingDatabase();
  const database = `slipway_e2e_${name}_${uniqueStamp()}`;
  await createEmptyDatabase(database);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `slipway-e2e-${name}-`));
  const panel = await startPanel({
    env: (port) => panelEnv(port, { DATABASE_URL: roleUrl(database), SLIPWAY_DATA_DIR: dataDir, ...vars }),
  });
  await waitForHealth(panel);
  const stop = async () => {
    await stopPanel(panel);
    await dropDatabase(database);
    await rm(dataDir, { recursive: true, force: true });
  };
  return { panel, database, dataDir, stop };
}
