// Throwaway databases for integration tests on a real PostgreSQL server. The global setup migrates one template
// database per set of migrations; each test file clones it (CREATE DATABASE … TEMPLATE, ~100 ms) and owns the clone.
// Tests connect as `slipway_test`, a plain owner role like the panel's: row-level security binds it.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import pg from 'pg';

import { openDatabase, type Database } from '@/lib/db/connection';

export const TEST_ROLE = 'slipway_test';
const TEST_PASSWORD = 'slipway_test';
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../prisma/migrations');

export function adminUrl(database = 'postgres'): string {
  const url = new URL(
    process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://slipway_ci:slipway_ci@127.0.0.1:5432/postgres',
  );
  url.pathname = `/${database}`;
  return url.toString();
}

export function roleUrl(database: string, role = TEST_ROLE, password = TEST_PASSWORD): string {
  const url = new URL(adminUrl(database));
  url.username = role;
  url.password = password;
  return url.toString();
}

/** Set by the global setup to the template it made, so a run that crosses a month boundary keeps cloning it. */
export const TEMPLATE_ENV = 'SLIPWAY_TEST_TEMPLATE';

/**
 * Name of the template for the migrations on disk and the current UTC month: a new migration makes a new template,
 * and so does a new month, because the migrations make audit partitions around the month they run in (last month
 * to 3 ahead). A template kept for longer would put this month's rows into audit_logs_default.
 */
export function templateName(now = new Date()): string {
  const fromSetup = process.env[TEMPLATE_ENV];
  if (fromSetup) return fromSetup;
  const hash = createHash('sha256');
  for (const name of readdirSync(MIGRATIONS_DIR).sort()) {
    if (name.endsWith('.toml')) continue;
    hash.update(name).update(readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql')));
  }
  const month = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  return `slipway_tpl_${hash.digest('hex').slice(0, 12)}_${month}`;
}

export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function ensureTestRole(client: pg.Client): Promise<void> {
  await client.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TEST_ROLE}') THEN
      CREATE ROLE ${TEST_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${TEST_PASSWORD}';
    END IF; END $$`);
}

export type TestDatabase = {
  name: string;
  /** URL as the test role (the panel's kind of role). */
  url: string;
  /** URL as the superuser, on this database. */
  adminUrl: string;
  db: Database;
  /**
   * Connections as the test role whose whole session opts out of row-level security (app.rls_bypass = 'on'), for
   * tests of what lies beneath it: constraints, cascades, triggers, partitions, retention. Never for tests of who
   * sees what (those use db.pool with userTx/systemTx), nor to hand to the code under test.
   */
  systemPool: pg.Pool;
  drop: () => Promise<void>;
};

/** An empty database of the given name, owned by the test role (for tests that migrate it themselves). */
export async function createEmptyDatabase(name: string): Promise<void> {
  await withAdmin(async (client) => {
    await ensureTestRole(client);
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} OWNER ${TEST_ROLE}`);
  });
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `slipway_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (client) => {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${templateName()} OWNER ${TEST_ROLE}`);
  });
  const url = roleUrl(name);
  const db = await openDatabase({ url, dataDir: '/nonexistent', migrationsDir: MIGRATIONS_DIR, poolSize: 4 });
  const systemPool = new pg.Pool({ connectionString: url, max: 2, options: '-c app.rls_bypass=on' });
  return {
    name,
    url,
    adminUrl: adminUrl(name),
    db,
    systemPool,
    drop: async () => {
      await systemPool.end();
      await db.close();
      await dropDatabase(name);
    },
  };
}
