// The README's zero-setup path: the built panel with no DATABASE_URL starts its own PostgreSQL in a fresh data
// directory, survives SIGKILL, and stops its database on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { freePort } from './support';

const root = path.resolve(__dirname, '..');


type Panel = { child: ChildProcess; output: () => string };

function startPanel(dataDir: string, port: number, pgPort: number): Panel {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_EMBEDDED_PG_PORT: String(pgPort),
    PORT: String(port),
    HOSTNAME_BIND: '127.0.0.1',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['scripts/server.mjs'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

type Health = { status: string; database: { mode: string }; migrations: { applied: number } };

async function health(port: number, panel: Panel, timeoutMs = 60_000): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (panel.child.exitCode !== null) throw new Error(`panel exited ${panel.child.exitCode}:\n${panel.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.ok) return (await response.json()) as Health;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`panel not healthy after ${timeoutMs} ms:\n${panel.output()}`);
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

async function appQuery(dataDir: string, pgPort: number, sql: string) {
  const secrets = JSON.parse(await readFile(path.join(dataDir, 'embedded-postgres.json'), 'utf8'));
  const client = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'slipway', password: secrets.appPassword, database: 'slipway' });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

test.describe('embedded database mode', () => {
  test.describe.configure({ timeout: 180_000 });
  let dataDir: string;
  const panels: Panel[] = [];

  test.beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-embedded-'));
  });

  test.afterAll(async () => {
    for (const { child } of panels) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(panels.map(({ child }) => exited(child)));
    await rm(dataDir, { recursive: true, force: true });
  });

  test('starts on a fresh data directory, survives SIGKILL and stops its database on SIGTERM', async () => {
    const [port, pgPort] = await Promise.all([freePort(), freePort()]);

    const first = startPanel(dataDir, port, pgPort);
    panels.push(first);
    const ok = await health(port, first);
    expect(ok).toMatchObject({ status: 'ok', database: { reachable: true, mode: 'embedded' }, migrations: { pending: [], failed: [] } });
    expect(ok.migrations.applied).toBeGreaterThanOrEqual(5);
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    await appQuery(dataDir, pgPort, "INSERT INTO users (username, email, auth_provider) VALUES ('survivor', 'survivor@example.com', 'github')");

    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = startPanel(dataDir, port, pgPort);
    panels.push(second);
    expect(await health(port, second)).toMatchObject({ status: 'ok', database: { mode: 'embedded' } });
    expect(await appQuery(dataDir, pgPort, 'SELECT username FROM users')).toEqual([{ username: 'survivor' }]);

    second.child.kill('SIGTERM');
    await exited(second.child);
    await expect.poll(() => existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), { timeout: 15_000 }).toBe(false);
  });
});
