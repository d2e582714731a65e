// Opens the panel's database: the PostgreSQL server at DATABASE_URL, or the embedded one when it is not set.
// Both modes then take the same path: one pg pool shared by Prisma (driver adapter) and raw queries, a check that the
// role is bound by row-level security, and the migrations applied.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

import { PrismaClient } from '@/lib/generated/prisma/client';

import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';
import { migrate } from './migrate';

export type DatabaseMode = 'embedded' | 'external';

export type Database = {
  prisma: PrismaClient;
  pool: pg.Pool;
  mode: DatabaseMode;
  migrationsDir: string;
  embedded?: EmbeddedDatabase;
  close: () => Promise<void>;
};

export type OpenDatabaseOptions = {
  /** External server; when absent, an embedded server is started in dataDir. */
  url?: string;
  dataDir: string;
  migrationsDir: string;
  poolSize?: number;
  embeddedPort?: number;
  log?: (line: string) => void;
};

/**
 * Superusers and BYPASSRLS roles ignore row-level security, so the panel would show every user every project the
 * moment an application-level check was missing. Refuse them, saying how to make a proper role.
 */
export async function assertRowSecurityApplies(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ name: string; rolsuper: boolean; rolbypassrls: boolean }>(
    'SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
  );
  const role = rows[0];
  if (role && (role.rolsuper || role.rolbypassrls)) {
    throw new Error(
      `DATABASE_URL connects as "${role.name}", a ${role.rolsuper ? 'superuser' : 'BYPASSRLS role'}, which row-level ` +
        'security does not restrict. Give Slipway its own role and database, e.g. as the superuser:\n' +
        "  CREATE ROLE slipway LOGIN PASSWORD '<a long random password>';\n" +
        '  CREATE DATABASE slipway OWNER slipway;\n' +
        'then set DATABASE_URL=postgresql://slipway:<password>@<host>:5432/slipway',
    );
  }
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  const embedded = options.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: options.dataDir, port: options.embeddedPort, log });
  const url = options.url ?? embedded!.url;
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, idleTimeoutMillis: 30_000 });
  // An idle client losing its server (a restart) must not crash the panel; the pool replaces it.
  pool.on('error', (error) => log(`database connection error: ${error.message}`));
  try {
    await assertRowSecurityApplies(pool);
    const applied = await migrate(pool, { dir: options.migrationsDir, log });
    if (applied.length > 0) log(`applied ${applied.length} migration(s)`);
  } catch (error) {
    await pool.end();
    await embedded?.stop();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    mode: embedded ? 'embedded' : 'external',
    migrationsDir: options.migrationsDir,
    embedded,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
      await embedded?.stop();
    },
  };
}
