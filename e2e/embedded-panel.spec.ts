// The README's zero-setup path: the built panel with no DATABASE_URL starts its own PostgreSQL in a fresh data
// directory, survives SIGKILL, and stops its database on SIGTERM.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';
import pg from 'pg';

import { startPanel, stopPanel, type PanelProcess } from './panel-process';
import { freePort } from './support';

/** The migrations in the repository: a fresh data directory must get every one of them. */
async function migrationCount(): Promise<number> {
  const entries = await readdir(path.resolve(__dirname, '..', 'prisma', 'migrations'), { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).length;
}

/** A panel without DATABASE_URL on `dataDir`; `port` is tried first (a restart on the same address). */
function startEmbeddedPanel(dataDir: string, pgPort: number, port?: number): Promise<PanelProcess> {
  return startPanel({
    port,
    env: (listenPort) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        SLIPWAY_DATA_DIR: dataDir,
        // A hint: the panel moves to the next free port when this one is taken, and says which in the owner file.
        SLIPWAY_EMBEDDED_PG_PORT: String(pgPort),
        PORT: String(listenPort),
        HOSTNAME_BIND: '127.0.0.1',
      };
      delete env.DATABASE_URL;
      return env;
    },
  });
}

type Health = { status: string; database: { mode: string }; migrations: { applied: number } };

/** The panel listens (startPanel saw it); its health once Next.js answers 200. */
async function health(panel: PanelProcess): Promise<Health> {
  let last: Health | null = null;
  await expect
    .poll(
      async () => {
        if (panel.child.exitCode !== null) throw new Error(`panel exited ${panel.child.exitCode}:\n${panel.output()}`);
        const response = await fetch(`${panel.baseUrl}/api/health`).catch(() => null);
        if (response?.ok) last = (await response.json()) as Health;
        return response?.status ?? 'no answer';
      },
      { timeout: 60_000 },
    )
    .toBe(200);
  return last!;
}

/** The port the embedded PostgreSQL really listens on, from the file the panel that started it writes. */
async function embeddedPort(dataDir: string): Promise<number> {
  return (JSON.parse(await readFile(path.join(dataDir, 'embedded-postgres.owner'), 'utf8')) as { port: number }).port;
}

async function appQuery(dataDir: string, sql: string) {
  const secrets = JSON.parse(await readFile(path.join(dataDir, 'embedded-postgres.json'), 'utf8'));
  const client = new pg.Client({
    host: '127.0.0.1',
    port: await embeddedPort(dataDir),
    user: 'slipway',
    password: secrets.appPassword,
    database: 'slipway',
  });
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
  const panels: PanelProcess[] = [];

  test.beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-embedded-'));
  });

  test.afterAll(async () => {
    await Promise.all(panels.map((panel) => stopPanel(panel)));
    await rm(dataDir, { recursive: true, force: true });
  });

  test('starts on a fresh data directory, survives SIGKILL and stops its database on SIGTERM', async () => {
    const pgPort = await freePort();

    const first = await startEmbeddedPanel(dataDir, pgPort);
    panels.push(first);
    const ok = await health(first);
    expect(ok).toMatchObject({
      status: 'ok',
      database: { reachable: true, mode: 'embedded' },
      migrations: { pending: [], failed: [] },
    });
    expect(ok.migrations.applied).toBe(await migrationCount());
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    await appQuery(
      dataDir,
      "INSERT INTO users (username, email, auth_provider) VALUES ('survivor', 'survivor@example.com', 'github')",
    );

    first.child.kill('SIGKILL');
    await first.exited();

    // Restarted on the same address (another one only if something took it in between).
    const second = await startEmbeddedPanel(dataDir, pgPort, first.port);
    panels.push(second);
    expect(await health(second)).toMatchObject({ status: 'ok', database: { mode: 'embedded' } });
    expect(await appQuery(dataDir, 'SELECT username FROM users')).toEqual([{ username: 'survivor' }]);

    second.child.kill('SIGTERM');
    await second.exited();
    await expect
      .poll(() => existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), { timeout: 15_000 })
      .toBe(false);
  });
});
