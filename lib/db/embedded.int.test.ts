// Embedded mode: a real PostgreSQL started by the panel process in its data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
let dataDir: string;
const children: ChildProcess[] = [];

type Ready = { child: ChildProcess; port: number; role: string; url: string };

function startChild(): Promise<Ready> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/testing/embedded-child.ts', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '' },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /READY (\d+) (\w+) (\S+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]), role: match[2]!, url: match[3]! });
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out}${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-embedded-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(children.map(exited));
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  let firstUrl = '';

  it('creates and migrates a fresh data directory, listening on 127.0.0.1 as a non-superuser role', async () => {
    const { url, role } = await startChild();
    firstUrl = url;
    expect(role).toBe('owner');
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const secrets = path.join(dataDir, 'embedded-postgres.json');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(secrets, 'utf8')).appPassword).toMatch(/^[A-Za-z0-9_-]{24,}$/);
    const [settings] = await query<{ listen: string; superuser: boolean; migrations: number }>(
      url,
      `SELECT current_setting('listen_addresses') AS listen,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
              (SELECT count(*)::int FROM _prisma_migrations WHERE finished_at IS NOT NULL) AS migrations`,
    );
    expect(settings).toEqual({ listen: '127.0.0.1', superuser: false, migrations: expect.any(Number) });
    expect(settings!.migrations).toBeGreaterThanOrEqual(5);
    await query(
      url,
      `INSERT INTO users (username, email, auth_provider) VALUES ('kept_user', 'kept@example.com', 'github')`,
    );
  });

  it('lets a second process share the running server instead of killing it', async () => {
    const second = await startChild();
    expect(second.role).toBe('shared');
    second.child.kill('SIGTERM');
    await exited(second.child);
    const rows = await query<{ n: number }>(firstUrl, 'SELECT count(*)::int AS n FROM users');
    expect(rows[0]!.n).toBe(1);
  });

  it('recovers after the panel is killed with SIGKILL, keeping the data', async () => {
    const owner = children[0]!;
    const pgPid = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    owner.kill('SIGKILL');
    await exited(owner);
    expect(pidAlive(pgPid)).toBe(true); // the orphaned server is still up, holding the data directory

    const restarted = await startChild();
    expect(restarted.role).toBe('owner');
    expect(pidAlive(pgPid)).toBe(false);
    const rows = await query<{ username: string }>(restarted.url, 'SELECT username FROM users');
    expect(rows.map((r) => r.username)).toEqual(['kept_user']);

    restarted.child.kill('SIGTERM');
    await exited(restarted.child);
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('starts over a stale postmaster.pid whose process is gone', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dataDir, 'postgres', 'postmaster.pid'), '999999\n');
    const again = await startChild();
    const rows = await query<{ n: number }>(again.url, 'SELECT count(*)::int AS n FROM users');
    expect(rows[0]!.n).toBe(1);
    again.child.kill('SIGTERM');
    await exited(again.child);
  });
});
