// The process-wide database (one pool, one Prisma client), opened on first use: at server start-up through
// instrumentation.ts, or by the first request in development.
import { env } from '@/lib/env';
import { remember } from '@/lib/server/remember';

import { openDatabase, type Database } from './connection';

function log(line: string) {
  console.log(`[slipway] ${line}`);
}

/** Opened once per process. A failed open is not remembered: the next caller tries again (the server came up). */
export function database(): Promise<Database> {
  return remember('database', () => {
    const config = env();
    return openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.SLIPWAY_DATA_DIR,
      migrationsDir: config.SLIPWAY_MIGRATIONS_DIR,
      poolSize: config.SLIPWAY_DB_POOL_SIZE,
      embeddedPort: config.SLIPWAY_EMBEDDED_PG_PORT,
      log,
    });
  });
}

export async function getDb() {
  return (await database()).prisma;
}

export type { Database } from './connection';
