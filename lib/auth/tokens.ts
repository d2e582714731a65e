// API tokens: named bearer credentials a user creates for scripts and CI. A token is `slw_` + 32 random bytes
// (base64url); only its SHA-256 (lowercase hex) is stored, so a copy of the database lets nobody in.
//
// Lucia is the session layer: a token is a lucia session whose id is the token's hash, stored in api_tokens by the
// adapter below. Two choices keep lucia inside what a token may do:
// - Expiry is fixed at creation. Lucia extends a session once it passes half its `sessionExpiresIn`; validation uses
//   a span of 0, so the extension point equals the expiry itself, which lucia refuses first: no token is ever
//   extended. The adapter's updateSessionExpiration throws, so a future lucia that tried anyway would fail loudly.
// - Lucia "deletes" a session it finds expired or without a user. The adapter instead answers "no such session" for a
//   revoked or expired token and for a disabled user, so validation never writes except last_used_at; an expired
//   token stays listed as expired. deleteSession means "revoke". (Disabling a user through lib/users revokes their
//   tokens, D62; the disabled check here still covers a user disabled by other means.)
// - lucia's global `Register` is not augmented (it would claim lucia's types for the whole app): the token's name
//   travels as an untyped session attribute and the user is read from the row the adapter loaded.
// A token never outranks its user: validation returns the user's CURRENT role, read in the same query.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { Lucia, TimeSpan, type Adapter, type DatabaseSession } from 'lucia';

import { recordAudit } from '@/lib/audit/write';
import { asSystem, type Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { SessionUser } from '@/lib/users/queries';
import { createTokenSchema, revokeTokenSchema } from '@/lib/validation/tokens';

import { assertCan, can, PLATFORM_ROLES, type PlatformRole } from './permissions';

export const TOKEN_PREFIX = 'slw_';
/** `slw_` + base64url of 32 bytes (43 characters, no padding). */
export const TOKEN_PATTERN = /^slw_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most this often per token, so a busy CI job is not a write per request. */
export const LAST_USED_PRECISION_MS = 60_000;
/** Longer Authorization headers are refused before any parsing (a token is 47 characters). */
export const MAX_AUTHORIZATION_LENGTH = 512;

export type ApiTokenStatus = 'active' | 'expired' | 'revoked';
export type ApiTokenSummary = {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: ApiTokenStatus;
};

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}

/** The credential of `Authorization: Bearer <token>` (RFC 6750 syntax, one space, nothing else), or null. */
export function parseBearer(header: string | null): string | null {
  if (header === null || header.length > MAX_AUTHORIZATION_LENGTH) return null;
  // The scheme is case-insensitive (RFC 9110 §11.1); the credential is b64token. `$` without the m flag is the
  // end of the input, so a smuggled line break never matches.
  const match = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
  return match?.[1] ?? null;
}

export function bearerFrom(request: { headers: Headers }): string | null {
  return parseBearer(request.headers.get('authorization'));
}

const tokenWithUser = {
  id: true,
  userId: true,
  tokenHash: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  user: { select: { id: true, username: true, email: true, role: true, preferences: true, disabledAt: true } },
} as const;

type LoadedToken = {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: Date;
  lastUsedAt: Date | null;
  user: { id: string; username: string; email: string; role: string; preferences: unknown };
};

type SessionAttributes = { name?: unknown };

function toDatabaseSession(row: { tokenHash: string; userId: string; expiresAt: Date }): DatabaseSession {
  return { id: row.tokenHash, userId: row.userId, expiresAt: row.expiresAt, attributes: {} };
}

/**
 * Lucia's Adapter over api_tokens, bound to one transaction. Session ids are token hashes. `loaded` receives the
 * row (with its user) that getSessionAndUser accepted, so the caller reads the user from the same statement.
 */
function tokenAdapter(tx: Tx, loaded: { token?: LoadedToken } = {}): Adapter {
  const live = () => ({ revokedAt: null, expiresAt: { gt: new Date() } });
  return {
    async getSessionAndUser(hash) {
      const row = await tx.apiToken.findUnique({ where: { tokenHash: hash }, select: tokenWithUser });
      if (!row || !sameHash(row.tokenHash, hash)) return [null, null];
      if (row.revokedAt !== null || row.expiresAt.getTime() <= Date.now() || row.user.disabledAt !== null) {
        return [null, null];
      }
      loaded.token = row;
      return [toDatabaseSession(row), { id: row.user.id, attributes: {} }];
    },
    async getUserSessions(userId) {
      const rows = await tx.apiToken.findMany({ where: { userId, ...live() }, select: tokenWithUser });
      return rows.map(toDatabaseSession);
    },
    async setSession(session) {
      const name = (session.attributes as SessionAttributes).name;
      if (typeof name !== 'string') throw new Error('An API token needs a name');
      await tx.apiToken.create({
        data: { userId: session.userId, name, tokenHash: session.id, expiresAt: session.expiresAt },
      });
    },
    async updateSessionExpiration() {
      throw new Error('API token expiry is fixed at creation and is never extended');
    },
    async deleteSession(hash) {
      await tx.apiToken.updateMany({ where: { tokenHash: hash, revokedAt: null }, data: { revokedAt: new Date() } });
    },
    async deleteUserSessions(userId) {
      await revokeUserApiTokens(tx, userId);
    },
    async deleteExpiredSessions() {
      await tx.apiToken.deleteMany({ where: { expiresAt: { lte: new Date() } } });
    },
  };
}

/** A span of 0: the point where lucia would extend a session is its expiry, which it refuses first. */
const NEVER_EXTEND = new TimeSpan(0, 'ms');

function validatingLucia(adapter: Adapter) {
  return new Lucia(adapter, { sessionExpiresIn: NEVER_EXTEND });
}

function isPlatformRole(role: string): role is PlatformRole {
  return (PLATFORM_ROLES as readonly string[]).includes(role);
}

function toSessionUser(user: LoadedToken['user']): SessionUser | null {
  if (!isPlatformRole(user.role)) return null;
  const preferences =
    user.preferences && typeof user.preferences === 'object' && !Array.isArray(user.preferences)
      ? (user.preferences as Record<string, unknown>)
      : {};
  return { id: user.id, username: user.username, email: user.email, role: user.role, preferences };
}

/**
 * Creates a token for the actor (who must exist and not be disabled: can(actor, 'token.create')) and audits it. The
 * token is returned here and nowhere else: show it once. Throws ZodError on invalid input.
 */
export async function createApiToken(
  tx: Tx,
  ctx: WorkContext,
  input: { name: string; expiresInDays: number },
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const { name, expiresInDays } = createTokenSchema.parse(input);
  const userId = ctx.actor.id;
  if (!can(ctx.actor, 'token.create', { type: 'token', userId })) {
    throw new AppError('forbidden', 'You are not allowed to create API tokens.');
  }
  const owner = await tx.user.findUnique({ where: { id: userId }, select: { disabledAt: true } });
  if (!owner) throw new AppError('not_found', 'This user no longer exists.');
  if (owner.disabledAt) throw new AppError('forbidden', 'This account is disabled: it cannot create API tokens.');

  const token = generateToken();
  const lucia = new Lucia(tokenAdapter(tx), { sessionExpiresIn: new TimeSpan(expiresInDays, 'd') });
  const attributes: SessionAttributes = { name };
  const session = await lucia.createSession(userId, attributes, { sessionId: hashToken(token) });
  const { id } = await tx.apiToken.findUniqueOrThrow({ where: { tokenHash: session.id }, select: { id: true } });

  await recordAudit(tx, {
    userId,
    action: 'token.create',
    resourceType: 'user',
    resourceId: userId,
    // Not `tokenId`: the audit writer redacts any key containing "token". Never the token itself.
    details: { id, name, expiresAt: session.expiresAt.toISOString() },
    ip: ctx.meta?.ip,
    userAgent: ctx.meta?.userAgent,
  });
  return { token, id, expiresAt: session.expiresAt };
}

/** The user's tokens, newest first. Never the hash. */
export async function listApiTokens(tx: Tx, userId: string): Promise<ApiTokenSummary[]> {
  const rows = await tx.apiToken.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: { id: true, name: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true },
  });
  const now = Date.now();
  return rows.map((row) => ({
    ...row,
    status: row.revokedAt ? 'revoked' : row.expiresAt.getTime() <= now ? 'expired' : 'active',
  }));
}

/**
 * Revokes a token: its owner may, and so may an admin/super_admin (can(actor, 'token.revoke')). Audited with the
 * actor as author and the owner as resource. A revoked token stays listed; revoking it again is a conflict.
 */
export async function revokeApiToken(
  tx: Tx,
  { actor, meta }: WorkContext,
  { tokenId }: { tokenId: string },
): Promise<{ id: string; userId: string }> {
  const parsed = revokeTokenSchema.safeParse({ tokenId });
  if (!parsed.success) throw new AppError('not_found', 'This API token does not exist (it may have been deleted).');
  const { tokenId: id } = parsed.data;
  // The row lock makes two revokes of one token take turns: the second sees the first's revoked_at.
  await tx.$executeRaw`SELECT 1 FROM api_tokens WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.apiToken.findUnique({
    where: { id },
    select: { userId: true, name: true, tokenHash: true, expiresAt: true, revokedAt: true },
  });
  if (!row) throw new AppError('not_found', 'This API token does not exist (it may have been deleted).');
  assertCan(actor, 'token.revoke', { type: 'token', userId: row.userId });
  if (row.revokedAt) throw new AppError('conflict', `The token "${row.name}" is already revoked.`);

  await validatingLucia(tokenAdapter(tx)).invalidateSession(row.tokenHash);
  await recordAudit(tx, {
    userId: actor.id,
    action: 'token.revoke',
    resourceType: 'user',
    resourceId: row.userId,
    details: { id, name: row.name, expiresAt: row.expiresAt.toISOString() },
    ip: meta?.ip,
    userAgent: meta?.userAgent,
  });
  return { id, userId: row.userId };
}

/**
 * Revokes every live token of the user at once (a password change, signing out everywhere, disabling: D62) and
 * returns how many. Expired tokens stay listed as expired. The caller audits, as part of the change that asked.
 */
export async function revokeUserApiTokens(tx: Tx, userId: string): Promise<number> {
  const now = new Date();
  const { count } = await tx.apiToken.updateMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now } },
    data: { revokedAt: now },
  });
  return count;
}

/**
 * The user a bearer token acts as, or null: malformed, unknown, expired or revoked tokens and disabled users are
 * refused alike. The role is the user's current one. Runs as the system: nobody is known until the token is.
 */
export async function validateApiToken(db: PrismaClient, token: string): Promise<SessionUser | null> {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
  const hash = hashToken(token);
  return asSystem(db, async (tx) => {
    const loaded: { token?: LoadedToken } = {};
    const { session } = await validatingLucia(tokenAdapter(tx, loaded)).validateSession(hash);
    const row = loaded.token;
    if (!session || !row) return null;
    const user = toSessionUser(row.user);
    if (!user) return null;
    const now = new Date();
    if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
      // Conditional, so concurrent requests write once a minute between them too.
      const stale = new Date(now.getTime() - LAST_USED_PRECISION_MS);
      await tx.apiToken.updateMany({
        where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] },
        data: { lastUsedAt: now },
      });
    }
    return user;
  });
}
