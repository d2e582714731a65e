// First run: while no user exists, the setup page creates the first user as super_admin. Two concurrent setups
// serialize on an advisory lock inside one transaction, so exactly one wins.
import { recordAudit } from '@/lib/audit/write';
import { asSystem } from '@/lib/db/context';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { RequestMeta } from '@/lib/http/request-meta';

import { hashPassword } from './password';

export async function needsSetup(db: PrismaClient): Promise<boolean> {
  const rows = await db.$queryRaw<{ any: boolean }[]>`SELECT EXISTS (SELECT 1 FROM users) AS any`;
  return !rows[0]?.any;
}

export type FirstUser = { username: string; email: string; password: string };

export async function createFirstUser(db: PrismaClient, input: FirstUser, meta: RequestMeta) {
  const passwordHash = await hashPassword(input.password);
  return asSystem(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('slipway.setup'))`;
    if (await tx.user.findFirst({ select: { id: true } })) {
      throw new AppError('conflict', 'Slipway is already set up. Sign in instead.');
    }
    const user = await tx.user.create({
      data: { username: input.username, email: input.email, passwordHash, role: 'super_admin' },
      select: { id: true, username: true },
    });
    await recordAudit(tx, {
      userId: user.id,
      action: 'user.create',
      resourceType: 'user',
      resourceId: user.id,
      details: { username: user.username, role: 'super_admin', via: 'setup' },
      ...meta,
    });
    return user;
  });
}
