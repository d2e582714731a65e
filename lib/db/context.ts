// Every query made for a person runs in a transaction that tells PostgreSQL who they are (app.user_id), so the
// row-level security policies on projects hold even where an application-level check is missing. Work done for
// no person (the deploy worker, maintenance, seeding) says so explicitly with asSystem().
import type { PrismaClient } from '@/lib/generated/prisma/client';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function asUser<T>(db: PrismaClient, userId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(userId)) throw new Error('asUser needs a user id (uuid)');
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('app.user_id', ${userId}, true)`;
    return work(tx);
  });
}

export async function asSystem<T>(db: PrismaClient, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('app.rls_bypass', 'on', true)`;
    return work(tx);
  });
}
