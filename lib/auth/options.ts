// next-auth configuration: Credentials sign-in (username or email + password) and, when configured, GitHub OAuth
// linked only to an existing user with the same verified email. Sessions are JWTs that carry the user's
// session_version and the session's own id (sid); every request compares them with the database (userForSession), and
// signing out revokes the sid (lib/auth/session-revocation.ts, D63).
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import GitHubProvider from 'next-auth/providers/github';
import { z } from 'zod';

import { recordAudit } from '@/lib/audit/write';
import { getDb } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { env } from '@/lib/env';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { requestMetaFromHeaders, type HeadersLike, type RequestMeta } from '@/lib/http/request-meta';
import { quietLog } from '@/lib/server/quiet-log';
import { findUserByIdentifier } from '@/lib/users/queries';

import { loadAuthSecret } from './auth-secret';
import { pickVerifiedEmail, type GitHubEmail } from './github';
import { verifyPassword } from './password';
import {
  newSessionClaims,
  revokeSession,
  SESSION_MAX_AGE_SECONDS,
  userForSessionClaims,
  type SessionClaims,
} from './session-revocation';
import {
  accountKey,
  checkSignInThrottle,
  recordSignInFailure,
  recordSignInSuccess,
  SIGN_IN_ACTION,
  SIGN_IN_FAILED_ACTION,
  throttleMessage,
} from './throttle';

const credentialsSchema = z.object({
  identifier: z.string().trim().min(1).max(255),
  password: z.string().min(1).max(1024),
});

/**
 * Checks a password sign-in and records success or failure in the audit log and the throttle counters
 * (lib/auth/throttle.ts); null means "generic failure", a thrown Error says when to try again. Attempts on one
 * account run one at a time (advisory lock), so a burst of parallel guesses cannot all pass the throttle before the
 * first failure is counted.
 */
export async function authorizeCredentials(db: PrismaClient, raw: unknown, meta: RequestMeta) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { identifier, password } = parsed.data;
  const user = await findUserByIdentifier(db, identifier);
  const attempt = { userId: user?.id ?? null, identifier, ip: meta.ip };

  const outcome = await asSystem(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('slipway.sign_in'), hashtext(${accountKey(attempt)}))`;
    const throttle = await checkSignInThrottle(tx, attempt);
    // Checked even when throttled, so a throttled attempt costs the same time as any other.
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? null);
    const ok = throttle.allowed && passwordOk && user !== null && user.disabledAt === null;
    if (ok) await recordSignInSuccess(tx, attempt);
    else if (throttle.allowed) await recordSignInFailure(tx, attempt);
    await recordAudit(tx, {
      userId: ok ? user.id : null,
      action: ok ? SIGN_IN_ACTION : SIGN_IN_FAILED_ACTION,
      resourceType: 'user',
      resourceId: user?.id ?? null,
      details: ok
        ? { method: 'password' }
        : { identifier: identifier.slice(0, 100), throttled: throttle.allowed ? false : throttle.scope },
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    return { ok, throttle };
  });
  if (!outcome.throttle.allowed) throw new Error(throttleMessage(outcome.throttle));
  if (!outcome.ok || !user) return null;
  return { id: user.id, name: user.username, email: user.email, sv: user.sessionVersion };
}

async function githubUser(accessToken: string | undefined) {
  if (!accessToken) return null;
  const response = await fetch('https://api.github.com/user/emails', {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) return null;
  const db = await getDb();
  for (const email of pickVerifiedEmail((await response.json()) as GitHubEmail[])) {
    const user = await findUserByIdentifier(db, email);
    if (user && user.disabledAt === null) return user;
  }
  return null;
}

/** What a next-auth error code means for whoever reads the panel's log; the codes seen from outside the panel. */
const NEXT_AUTH_REASONS: Record<string, string> = {
  JWT_SESSION_ERROR: 'a session cookie that cannot be read (forged, corrupted or from another secret): signed out',
  SIGNOUT_ERROR: 'a sign-out with a session cookie that cannot be read',
};

/** The message of next-auth's metadata (an Error, or an object holding one), never its stack. */
function messageOf(metadata: unknown): string {
  if (metadata instanceof Error) return metadata.message;
  if (metadata && typeof metadata === 'object') {
    const { message, error } = metadata as { message?: unknown; error?: unknown };
    if (typeof message === 'string') return message;
    if (error instanceof Error) return error.message;
  }
  return String(metadata);
}

/**
 * next-auth's log lines, one line each and rate-limited per code (lib/server/quiet-log): a browser holding a bad
 * cookie sends it with every request, and next-auth's own logger printed a stack trace each time (D64).
 */
export const nextAuthLogger: NonNullable<NextAuthOptions['logger']> = {
  error(code, metadata) {
    const reason = NEXT_AUTH_REASONS[code];
    const detail = messageOf(metadata);
    quietLog(`next-auth:${code}`, `[next-auth] ${code}: ${reason ? `${reason} (${detail})` : detail}`);
  },
  warn(code) {
    quietLog(`next-auth:${code}`, `[next-auth] warning ${code}`);
  },
  debug() {},
};

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const config = env();
  // next-auth reads its public URL from NEXTAUTH_URL; derive it from Slipway's own setting.
  process.env.NEXTAUTH_URL ??= config.SLIPWAY_URL ?? `http://localhost:${config.PORT}`;
  const github =
    config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET
      ? [GitHubProvider({ clientId: config.GITHUB_CLIENT_ID, clientSecret: config.GITHUB_CLIENT_SECRET })]
      : [];
  cached = {
    secret: loadAuthSecret({ configured: config.NEXTAUTH_SECRET, dataDir: config.SLIPWAY_DATA_DIR }),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/sign-in', error: '/sign-in' },
    logger: nextAuthLogger,
    providers: [
      CredentialsProvider({
        name: 'Password',
        credentials: {
          identifier: { label: 'Username or email', type: 'text' },
          password: { label: 'Password', type: 'password' },
        },
        authorize: async (credentials, req) =>
          authorizeCredentials(
            await getDb(),
            credentials,
            requestMetaFromHeaders(req?.headers as HeadersLike | undefined),
          ),
      }),
      ...github,
    ],
    callbacks: {
      async signIn({ account }) {
        if (account?.provider !== 'github') return true;
        return (await githubUser(account.access_token)) !== null;
      },
      // At sign-in the session gets its own id and end (newSessionClaims); later calls keep them as they are.
      async jwt({ token, user, account }) {
        if (account?.provider === 'github') {
          const linked = await githubUser(account.access_token);
          if (linked) Object.assign(token, { uid: linked.id, sv: linked.sessionVersion, ...newSessionClaims() });
        } else if (user) {
          Object.assign(token, { uid: user.id, sv: (user as { sv?: number }).sv, ...newSessionClaims() });
        }
        return token;
      },
      async session({ session, token }) {
        return Object.assign(session, { uid: token.uid, sv: token.sv, sid: token.sid, sexp: token.sexp });
      },
    },
    events: {
      // JWT mode hands over the decoded cookie being signed out: its session is refused from now on, copies included.
      async signOut({ token }) {
        await revokeSession(await getDb(), token as SessionClaims | null);
      },
    },
  };
  return cached;
}

/** The user a verified session points at, if it is still valid (not signed out, same session version, not disabled). */
export async function userForSession(session: SessionClaims | null) {
  return userForSessionClaims(await getDb(), session);
}
