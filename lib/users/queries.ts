// Reading users: for sign-in and sessions (by id, or by the exact identifier a person typed), the users page (one
// page of accounts, authorized with can()) and the profile page (the person's own account). `users` has no row-level
// security: every read here is either by the person's own id or checked with can() first.
import type { PlatformRole } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { userListFiltersSchema, type UserListFilterInput } from '@/lib/validation/user';

import { authorize } from './access';

export type SessionUser = {
  id: string;
  username: string;
  email: string;
  role: PlatformRole;
  preferences: Record<string, unknown>;
};

const select = {
  id: true,
  username: true,
  email: true,
  role: true,
  preferences: true,
  passwordHash: true,
  disabledAt: true,
  sessionVersion: true,
} as const;

export async function findUserByIdentifier(db: PrismaClient, identifier: string) {
  const value = identifier.trim();
  if (value.includes('@')) {
    const rows = await db.$queryRaw<
      { id: string }[]
    >`SELECT id FROM users WHERE lower(email) = lower(${value}) LIMIT 1`;
    return rows[0] ? db.user.findUnique({ where: { id: rows[0].id }, select }) : null;
  }
  return db.user.findUnique({ where: { username: value.toLowerCase() }, select });
}

export function toSessionUser(user: {
  id: string;
  username: string;
  email: string;
  role: string;
  preferences: unknown;
}): SessionUser {
  const preferences =
    user.preferences && typeof user.preferences === 'object' ? (user.preferences as Record<string, unknown>) : {};
  return { id: user.id, username: user.username, email: user.email, role: user.role as PlatformRole, preferences };
}

export const USER_PAGE_SIZE = 50;

export type UserListItem = {
  id: string;
  username: string;
  email: string;
  role: PlatformRole;
  authProvider: string;
  disabledAt: Date | null;
  createdAt: Date;
};
export type UserListPage = { items: UserListItem[]; nextCursor: string | null };

type ListRow = Omit<UserListItem, 'authProvider' | 'disabledAt' | 'createdAt'> & {
  auth_provider: string;
  disabled_at: Date | null;
  created_at: Date;
};

/** One page of users by username, after the cursor (the last username of the previous page). */
export async function listUsers(tx: Tx, ctx: WorkContext, input: UserListFilterInput = {}): Promise<UserListPage> {
  authorize(ctx, 'user.list', { type: 'platform' }, null);
  const { q, role, after } = userListFiltersSchema.parse(input);
  const conditions: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (after) conditions.push(Prisma.sql`username > ${after}`);
  if (role) conditions.push(Prisma.sql`role = ${role}`);
  // strpos, not LIKE: the search is plain text, so % and _ mean themselves.
  if (q)
    conditions.push(Prisma.sql`(strpos(lower(username), lower(${q})) > 0 OR strpos(lower(email), lower(${q})) > 0)`);
  const rows = await tx.$queryRaw<ListRow[]>`
    SELECT id, username, email, role, auth_provider, disabled_at, created_at
      FROM users WHERE ${Prisma.join(conditions, ' AND ')}
     ORDER BY username LIMIT ${USER_PAGE_SIZE + 1}`;
  const items = rows.slice(0, USER_PAGE_SIZE).map(({ auth_provider, disabled_at, created_at, ...row }) => ({
    ...row,
    authProvider: auth_provider,
    disabledAt: disabled_at,
    createdAt: created_at,
  }));
  return { items, nextCursor: rows.length > USER_PAGE_SIZE ? (items.at(-1)?.username ?? null) : null };
}

export type AccountFacts = { hasPassword: boolean; createdAt: Date };

export async function getOwnAccount(tx: Tx, userId: string): Promise<AccountFacts | null> {
  // In SQL, so the hash never leaves the database: only whether there is one.
  const [row] = await tx.$queryRaw<{ has_password: boolean; created_at: Date }[]>`
    SELECT password_hash IS NOT NULL AS has_password, created_at FROM users WHERE id = ${userId}::uuid`;
  return row ? { hasPassword: row.has_password, createdAt: row.created_at } : null;
}
