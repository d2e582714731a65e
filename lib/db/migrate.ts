// Applies prisma/migrations/*/migration.sql in order, recording them in Prisma's own `_prisma_migrations` table
// (same checksums, same advisory lock), so `prisma migrate status/deploy` and the panel agree on what is applied.
// The panel uses this at start-up instead of shelling out to the Prisma CLI; each migration runs in one
// transaction, so a failing one leaves nothing half-applied.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type pg from 'pg';

// Prisma Migrate's advisory lock key: the CLI and the panel never migrate at the same time.
const MIGRATION_LOCK = 72707369;

export type MigrationFile = { name: string; sql: string; checksum: string };

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

type AppliedRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

async function appliedRows(client: pg.ClientBase): Promise<AppliedRow[] | null> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
  if (!exists.rows[0]?.t) return null;
  const result = await client.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  return result.rows;
}

export type MigrationStatus = { applied: string[]; pending: string[]; failed: string[]; modified: string[] };

export async function migrationStatus(client: pg.ClientBase, dir: string): Promise<MigrationStatus> {
  const files = await readMigrations(dir);
  const rows = (await appliedRows(client)) ?? [];
  const live = rows.filter((r) => r.rolled_back_at === null);
  const done = new Map(live.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]));
  return {
    applied: files.filter((f) => done.has(f.name)).map((f) => f.name),
    pending: files.filter((f) => !done.has(f.name)).map((f) => f.name),
    failed: live.filter((r) => r.finished_at === null).map((r) => r.migration_name),
    modified: files.filter((f) => done.has(f.name) && done.get(f.name) !== f.checksum).map((f) => f.name),
  };
}

export type MigrateOptions = { dir: string; log?: (line: string) => void };

/** Applies every pending migration; returns the names applied. Safe to call from several processes at once. */
export async function migrate(pool: pg.Pool, { dir, log = () => {} }: MigrateOptions): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(CREATE_TABLE);
      const status = await migrationStatus(client, dir);
      if (status.failed.length > 0) {
        throw new Error(
          `Migration ${status.failed.join(', ')} failed earlier and was left unfinished. ` +
            'Repair the database, then mark it with `prisma migrate resolve`, before starting Slipway again.',
        );
      }
      for (const name of status.modified) log(`warning: migration ${name} was edited after it was applied`);
      const files = new Map((await readMigrations(dir)).map((f) => [f.name, f]));
      const applied: string[] = [];
      for (const name of status.pending) {
        const file = files.get(name)!;
        log(`applying migration ${name}`);
        await client.query('BEGIN');
        try {
          await client.query(file.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
             VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
            [randomUUID(), file.checksum, name],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`Migration ${name} failed and was rolled back: ${(error as Error).message}`);
        }
        applied.push(name);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
