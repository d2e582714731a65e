// Signing out ends that one session on the server (D63), not only the cookie in that browser. Every session cookie
// names its session: `sid`, a UUID made at sign-in, and `sexp`, the end of its life fixed at sign-in (refreshing the
// cookie through /api/auth/session never moves it). Signing out records the sid in revoked_sessions until `sexp`;
// every request reads the user and "is this sid revoked?" in one statement, and maintenance prunes expired rows.
import { randomUUID } from 'node:crypto';

import { recordAudit } from '@/lib/audit/write';
import { asSystem } from '@/lib/db/context';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { isUuid } from '@/lib/validation/ids';

/** How long a session lasts from sign-in (the cookie's maxAge too): 7 days. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

/** What the JWT carries about its session, as the session callback passes it on. */
export type SessionClaims = { uid?: unknown; sv?: unknown; sid?: unknown; sexp?: unknown };

/** The claims a new session gets at sign-in, besides the user's id and session version. */
export function newSessionClaims(now = Date.now()): { sid: string; sexp: number } {
  return { sid: randomUUID(), sexp: Math.floor(now / 1000) + SESSION_MAX_AGE_SECONDS };
}

type Checked = { uid: string; sv: number; sid: string; expiresAt: Date };

/** The claims, when they are all there and the session has not outlived `sexp`. A cookie without a sid predates D63. */
function checked(claims: SessionClaims | null | undefined, now = Date.now()): Checked | null {
  if (!claims) return null;
  const { uid, sv, sid, sexp } = claims;
  if (typeof uid !== 'string' || !isUuid(uid) || typeof sid !== 'string' || !isUuid(sid)) return null;
  if (typeof sv !== 'number' || typeof sexp !== 'number' || !Number.isFinite(sexp) || sexp * 1000 <= now) return null;
  return { uid, sv, sid, expiresAt: new Date(sexp * 1000) };
}

export type SessionUserRow = {
  id: string;
  username: string;
  email: string;
  role: string;
  preferences: unknown;
};

type Row = SessionUserRow & { disabled_at: Date | null; session_version: number; revoked: boolean };

/**
 * The user a verified session points at, if the session is still valid: not signed out (its sid not revoked), not
 * past its end, the user's session version unchanged (a password change or "sign out everywhere") and the user not
 * disabled. One statement, two primary-key lookups.
 */
export async function userForSessionClaims(
  db: PrismaClient,
  claims: SessionClaims | null,
): Promise<SessionUserRow | null> {
  const session = checked(claims);
  if (!session) return null;
  const [row] = await db.$queryRaw<Row[]>`
    SELECT u.id, u.username, u.email, u.role, u.preferences, u.disabled_at, u.session_version,
           EXISTS (SELECT 1 FROM revoked_sessions r WHERE r.sid = ${session.sid}::uuid) AS revoked
      FROM users u WHERE u.id = ${session.uid}::uuid`;
  if (!row || row.revoked || row.disabled_at !== null || row.session_version !== session.sv) return null;
  const { id, username, email, role, preferences } = row;
  return { id, username, email, role, preferences };
}

/**
 * Records that the session is over (its cookie is refused from now on, wherever a copy of it is) and audits the
 * sign-out. Idempotent; claims that name no live session are ignored (there is nothing to end).
 */
export async function revokeSession(db: PrismaClient, claims: SessionClaims | null): Promise<boolean> {
  const session = checked(claims);
  if (!session) return false;
  return asSystem(db, async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO revoked_sessions (sid, expires_at) VALUES (${session.sid}::uuid, ${session.expiresAt})
      ON CONFLICT (sid) DO NOTHING`;
    if (inserted === 0) return false;
    await recordAudit(tx, {
      userId: session.uid,
      action: 'auth.sign_out',
      resourceType: 'user',
      resourceId: session.uid,
    });
    return true;
  });
}
