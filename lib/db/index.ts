// The process-wide database (one pool, one Prisma client), opened on first use: at server start-up through
// instrumentation.ts, or by the first request in development.
import { env } from '@/lib/env';
import { openDatabase, type Database } from './connection';

const holder = globalThis as unknown as { __slipwayDatabase?: Promise<Database> };

function log(line: string) {
  console.log(`[slipway] ${line}`);
}

export function database(): Promise<Database> {
  if (!holder.__slipwayDatabase) {
    const config = env();
    holder.__slipwayDatabase = openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.SLIPWAY_DATA_DIR,
      migrationsDir: config.SLIPWAY_MIGRATIONS_DIR,
      poolSize: config.SLIPWAY_DB_POOL_SIZE,
      embeddedPort: config.SLIPWAY_EMBEDDED_PG_PORT,
      log,
    });
    // A failed open is not cached: the next caller tries again (e.g. the server came up meanwhile).
    holder.__slipwayDatabase.catch(() => {
      holder.__slipwayDatabase = undefined;
    });
  }
  return holder.__slipwayDatabase;
}

export async function getDb() {
  return (await database()).prisma;
}

export type { Database } from './connection';
