// Looking users up for sign-in and sessions. `users` has no row-level security; these reads are by id or by the
// exact identifier a person typed.
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { PlatformRole } from './permissions';

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
    const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE lower(email) = lower(${value}) LIMIT 1`;
    return rows[0] ? db.user.findUnique({ where: { id: rows[0].id }, select }) : null;
  }
  return db.user.findUnique({ where: { username: value.toLowerCase() }, select });
}

export async function findUserById(db: PrismaClient, id: string) {
  return db.user.findUnique({ where: { id }, select });
}

export function toSessionUser(user: { id: string; username: string; email: string; role: string; preferences: unknown }): SessionUser {
  const preferences = user.preferences && typeof user.preferences === 'object' ? (user.preferences as Record<string, unknown>) : {};
  return { id: user.id, username: user.username, email: user.email, role: user.role as PlatformRole, preferences };
}
