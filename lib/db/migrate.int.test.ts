// The panel's migrator and Prisma's CLI agree: same history table, same checksums, same resulting schema.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEmptyDatabase, dropDatabase, MIGRATIONS_DIR, roleUrl } from '@/lib/testing/database';

import { migrate, migrationStatus } from './migrate';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const viaCli = `slipway_m_cli_${process.pid}`;
const viaPanel = `slipway_m_panel_${process.pid}`;
const scratch = `slipway_m_scratch_${process.pid}`;

// Everything the migrations make that a person could probe: tables, columns, constraints, indexes, policies,
// triggers, functions, partitions, views.
const CATALOG = `
  SELECT 'column' AS kind, table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS name
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
  UNION ALL SELECT 'constraint', conrelid::regclass || '.' || conname || ':' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT 'index', tablename || '.' || indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT 'policy', tablename || '.' || policyname || ':' || cmd FROM pg_policies WHERE schemaname = 'public'
  UNION ALL SELECT 'trigger', tgrelid::regclass || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT 'function', proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'partition', inhparent::regclass || '>' || inhrelid::regclass FROM pg_inherits
  UNION ALL SELECT 'matview', matviewname FROM pg_matviews WHERE schemaname = 'public'
  ORDER BY 1, 2`;

async function catalog(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Month partitions are named after the month the migration ran in; compare their shape, not their dates.
    return (await client.query<{ kind: string; name: string }>(CATALOG)).rows.map((r) =>
      `${r.kind} ${r.name}`.replace(/audit_logs_\d{4}_\d{2}/g, 'audit_logs_YYYY_MM'),
    );
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await Promise.all([createEmptyDatabase(viaCli), createEmptyDatabase(viaPanel), createEmptyDatabase(scratch)]);
});

afterAll(async () => {
  await Promise.all([dropDatabase(viaCli), dropDatabase(viaPanel), dropDatabase(scratch)]);
});

describe('migrations', () => {
  it('`prisma migrate deploy` on an empty database builds the same schema as the panel, and each sees the other as up to date', async () => {
    const env = { ...process.env, DATABASE_URL: roleUrl(viaCli) };
    const deploy = await run('node_modules/.bin/prisma', ['migrate', 'deploy'], { cwd: root, env });
    expect(deploy.stdout).toMatch(/All migrations have been successfully applied|migrations have been applied/i);

    const pool = new pg.Pool({ connectionString: roleUrl(viaPanel), max: 2 });
    try {
      expect((await migrate(pool, { dir: MIGRATIONS_DIR })).length).toBeGreaterThanOrEqual(5);
      expect(await migrate(pool, { dir: MIGRATIONS_DIR })).toEqual([]);
    } finally {
      await pool.end();
    }

    const [cli, panel] = await Promise.all([catalog(roleUrl(viaCli)), catalog(roleUrl(viaPanel))]);
    expect(panel).toEqual(cli);
    // projects: 5; each of the 11 tables owned through a project: select, insert, update, delete (44); each of the 4
    // deployment_logs partitions: its system policy (migration 20261203000000_tenant_row_level_security).
    expect(panel.filter((line) => line.startsWith('policy'))).toHaveLength(5 + 11 * 4 + 4);

    const status = await run('node_modules/.bin/prisma', ['migrate', 'status'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: roleUrl(viaPanel) },
    });
    expect(status.stdout).toContain('Database schema is up to date');
  }, 120_000);

  it('applies each migration once when several processes start together', async () => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: roleUrl(scratch), max: 1 }));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, { dir: MIGRATIONS_DIR })));
      const total = results.reduce((n, applied) => n + applied.length, 0);
      const client = await pools[0]!.connect();
      try {
        const status = await migrationStatus(client, MIGRATIONS_DIR);
        expect(total).toBe(status.applied.length);
        expect(status.pending).toEqual([]);
      } finally {
        client.release();
      }
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('rolls a failing migration back whole and names it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(path.join(dir, '29991231000000_broken'));
      await writeFile(
        path.join(dir, '29991231000000_broken', 'migration.sql'),
        'CREATE TABLE half_done (id int);\nALTER TABLE no_such_table ADD COLUMN x int;\n',
      );
      const pool = new pg.Pool({ connectionString: roleUrl(scratch), max: 1 });
      try {
        await expect(migrate(pool, { dir })).rejects.toThrow(/29991231000000_broken failed and was rolled back/);
        const { rows } = await pool.query(`SELECT to_regclass('half_done') AS t`);
        expect(rows[0].t).toBeNull();
        const client = await pool.connect();
        try {
          expect((await migrationStatus(client, dir)).pending).toEqual(['29991231000000_broken']);
        } finally {
          client.release();
        }
      } finally {
        await pool.end();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
