// Sign-in throttling, computed from the audit log (no table of its own). A failed sign-in is an audit row
// `auth.sign_in_failed` (resource_type 'user', resource_id the account when it exists, details.identifier what was
// typed, ip_address the client); a success is `auth.sign_in` on the same account.
//
// Per account: failures in the last 15 minutes since its last success; from the 5th on, the next attempt waits
// 2^(n-5) seconds after the last failure (1, 2, 4, … capped at 15 minutes). An identifier that names no account is
// throttled the same way by what was typed, so being throttled does not tell that an account exists.
// Per IP: all failures from that address in the last 15 minutes (a success does not reset them: one good account
// must not let an address spray others), with a looser threshold of 20.
import type { Tx } from '@/lib/db/context';
import { Prisma } from '@/lib/generated/prisma/client';
import { normalizeIp } from '@/lib/http/client-ip';

export const SIGN_IN_ACTION = 'auth.sign_in';
export const SIGN_IN_FAILED_ACTION = 'auth.sign_in_failed';

export const THROTTLE_WINDOW_SECONDS = 15 * 60;
export const MAX_BACKOFF_SECONDS = 15 * 60;
export const ACCOUNT_FAILURE_THRESHOLD = 5;
export const IP_FAILURE_THRESHOLD = 20;
/** details.identifier is compared on this many characters, what the sign-in records. */
const IDENTIFIER_LENGTH = 100;

export type SignInThrottleInput = {
  /** The account the identifier names, or null when it names none. */
  userId: string | null;
  /** What was typed (username or email): throttles attempts on an identifier that names no account. */
  identifier?: string | null;
  /** The client IP (lib/http/request-meta.ts), or null when unknown. */
  ip: string | null;
  now?: Date;
};

export type SignInThrottle = { allowed: boolean; retryAfterSeconds: number };

/** Seconds to wait after the last failure, given `failures` recent failures: 0 below `threshold`, then 1, 2, 4, … */
export function backoffSeconds(failures: number, threshold: number): number {
  if (!(failures >= threshold)) return 0;
  const exponent = failures - threshold;
  // 2^10 already exceeds the cap; the guard keeps 2 ** huge from being Infinity arithmetic.
  return exponent >= 10 ? MAX_BACKOFF_SECONDS : Math.min(2 ** exponent, MAX_BACKOFF_SECONDS);
}

type FailureStats = { failures: number; lastFailure: Date | null };

function retryAfter({ failures, lastFailure }: FailureStats, threshold: number, now: Date): number {
  const wait = backoffSeconds(failures, threshold);
  if (wait === 0 || lastFailure === null) return 0;
  return Math.max(0, Math.ceil((lastFailure.getTime() + wait * 1000 - now.getTime()) / 1000));
}

type TimeRange = { from: string; to: string };

// Every query is bounded by created_at on both sides, so only the partitions of the last 15 minutes are read, and
// narrowed by an indexed column: (resource_type, resource_id) for an account, action for an identifier or an IP.
// Exported for the test that reads their plans.
export const signInThrottleSql = {
  account: (userId: string, { from, to }: TimeRange) => Prisma.sql`
    SELECT count(*)::int AS failures, max(created_at) AS last_failure
      FROM audit_logs
     WHERE resource_type = 'user' AND resource_id = ${userId}::uuid AND action = ${SIGN_IN_FAILED_ACTION}
       AND created_at >= ${from}::timestamptz AND created_at <= ${to}::timestamptz
       AND created_at > COALESCE((
             SELECT max(created_at) FROM audit_logs
              WHERE resource_type = 'user' AND resource_id = ${userId}::uuid AND action = ${SIGN_IN_ACTION}
                AND created_at >= ${from}::timestamptz AND created_at <= ${to}::timestamptz
           ), '-infinity'::timestamptz)`,
  identifier: (identifier: string, { from, to }: TimeRange) => Prisma.sql`
    SELECT count(*)::int AS failures, max(created_at) AS last_failure
      FROM audit_logs
     WHERE action = ${SIGN_IN_FAILED_ACTION} AND resource_type = 'user' AND resource_id IS NULL
       AND created_at >= ${from}::timestamptz AND created_at <= ${to}::timestamptz
       AND lower(left(btrim(details->>'identifier'), ${IDENTIFIER_LENGTH}::int)) = ${identifier}`,
  ip: (ip: string, { from, to }: TimeRange) => Prisma.sql`
    SELECT count(*)::int AS failures, max(created_at) AS last_failure
      FROM audit_logs
     WHERE action = ${SIGN_IN_FAILED_ACTION} AND ip_address = ${ip}::inet
       AND created_at >= ${from}::timestamptz AND created_at <= ${to}::timestamptz`,
};

async function failureStats(tx: Tx, sql: Prisma.Sql): Promise<FailureStats> {
  const [row] = await tx.$queryRaw<{ failures: number; last_failure: Date | null }[]>(sql);
  return { failures: row?.failures ?? 0, lastFailure: row?.last_failure ?? null };
}

/**
 * Whether a sign-in attempt may be checked now, and if not, in how many seconds. Call it before verifying the
 * password; a refused attempt should still cost a password check (lib/auth/password.ts) so it takes the usual time.
 */
export async function checkSignInThrottle(tx: Tx, input: SignInThrottleInput): Promise<SignInThrottle> {
  const now = input.now ?? new Date();
  const from = new Date(now.getTime() - THROTTLE_WINDOW_SECONDS * 1000).toISOString();
  const to = now.toISOString();
  const identifier = input.identifier?.trim().slice(0, IDENTIFIER_LENGTH).toLowerCase() || null;
  const ip = normalizeIp(input.ip);

  const range = { from, to };
  const none: FailureStats = { failures: 0, lastFailure: null };
  let account = none;
  if (input.userId !== null) account = await failureStats(tx, signInThrottleSql.account(input.userId, range));
  else if (identifier !== null) account = await failureStats(tx, signInThrottleSql.identifier(identifier, range));
  const address = ip === null ? none : await failureStats(tx, signInThrottleSql.ip(ip, range));

  const retryAfterSeconds = Math.max(
    retryAfter(account, ACCOUNT_FAILURE_THRESHOLD, now),
    retryAfter(address, IP_FAILURE_THRESHOLD, now),
  );
  return { allowed: retryAfterSeconds === 0, retryAfterSeconds };
}
