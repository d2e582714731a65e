// Every query made for a person runs in a transaction that tells PostgreSQL who they are (app.user_id), so the
// row-level security policies on projects and every table owned through one hold even where an application-level
// check is missing. Work done for no person (the deploy worker, maintenance, seeding) says so explicitly with
// asSystem() (asSystemPg() for raw node-postgres work). Actions, pages and route handlers reach these through
// lib/db/work.ts (runAsUser, runAsSystem), which also audits refusals.
import type pg from 'pg';

import type { PrismaClient } from '@/lib/generated/prisma/client';
import { isUuid } from '@/lib/validation/ids';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

// Deferred constraints (a team keeping its owner) are checked before the transaction ends rather than at COMMIT:
// Prisma 6 does not return a connection to the pool when COMMIT itself fails, and an error here rolls back cleanly.
async function settle<T>(tx: Tx, result: T): Promise<T> {
  await tx.$executeRaw`SET CONSTRAINTS ALL IMMEDIATE`;
  return result;
}

export async function asUser<T>(db: PrismaClient, userId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (!isUuid(userId)) throw new Error('asUser needs a user id (uuid)');
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('app.user_id', ${userId}, true)`;
    return settle(tx, await work(tx));
  });
}

export async function asSystem<T>(db: PrismaClient, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('app.rls_bypass', 'on', true)`;
    return settle(tx, await work(tx));
  });
}

/**
 * asSystem() for raw node-postgres work (the log sink, the log stream's shared reads, maintenance): one transaction
 * with app.rls_bypass = 'on'. Given a pool it takes a connection and returns it (discarded when ROLLBACK failed);
 * given a client it runs the transaction on that client and leaves it open.
 */
export async function asSystemPg<T>(
  db: pg.Pool | pg.PoolClient,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  const owned = !('release' in db);
  const client = owned ? await db.connect() : db;
  let broken: Error | undefined;
  try {
    // One round trip for both (a simple query may hold several statements when it has no parameters).
    await client.query("BEGIN; SELECT set_config('app.rls_bypass', 'on', true)");
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    if (owned) (client as pg.PoolClient).release(broken);
  }
}
