// Sign-in throttling (docs/decisions.md D65): two counters of failed password checks in sign_in_throttles, one per
// account and one per client address, each with its own exponential backoff, read and written with the database's
// clock so every panel process agrees.
//
// Per account (the user's id; for a name that is no account, the name as typed, lower-cased, so being throttled does
// not tell that an account exists): from the 5th failure the next check waits 30 s after the last one, doubling up
// to 15 minutes, from any address. A day without failures, or a successful sign-in, starts it again.
// Per address: from the 50th failure in an hour (across accounts: a password spray), the same backoff, but only
// for accounts that have not signed in successfully from that address in the last 30 days, so the people behind a
// shared address (an office NAT, a reverse proxy nobody configured) keep signing in to their own accounts. A success
// does not reset it: one good account must not let an address spray others.
// A refused attempt checks no password, so it counts nowhere: hammering an account cannot push its owner's wait,
// nor the address's counter, any further.
import type { Tx } from '@/lib/db/context';
import { normalizeIp } from '@/lib/http/client-ip';

export const SIGN_IN_ACTION = 'auth.sign_in';
export const SIGN_IN_FAILED_ACTION = 'auth.sign_in_failed';

export type ThrottleRule = {
  /** Failures counted before the first wait. */
  threshold: number;
  /** The first wait; each further failure doubles it. */
  baseSeconds: number;
  capSeconds: number;
  /** A counter whose last failure is older than this counts as zero (and is pruned, prune_sign_in_throttles()). */
  windowSeconds: number;
};

export const ACCOUNT_RULE: ThrottleRule = { threshold: 5, baseSeconds: 30, capSeconds: 15 * 60, windowSeconds: 86_400 };
export const ADDRESS_RULE: ThrottleRule = { threshold: 50, baseSeconds: 30, capSeconds: 15 * 60, windowSeconds: 3_600 };
/** An account that signed in from an address this recently is not held to that address's counter. */
export const KNOWN_ADDRESS_DAYS = 30;

export type ThrottleScope = 'account' | 'address';

export type SignInAttempt = {
  /** The account the identifier names, or null when it names none. */
  userId: string | null;
  /** What was typed (username or email). */
  identifier: string;
  /** The client IP (lib/http/request-meta.ts), or null when unknown. */
  ip: string | null;
};

export type SignInThrottle = { allowed: true } | { allowed: false; scope: ThrottleScope; retryAfterSeconds: number };

/** Seconds to wait after the last failure, given `failures` counted: 0 below the threshold, then base, 2×base, … cap. */
export function backoffSeconds(failures: number, rule: ThrottleRule): number {
  if (!(failures >= rule.threshold)) return 0;
  const exponent = failures - rule.threshold;
  // Past 2^20 every rule is at its cap; the guard keeps 2 ** huge out of the arithmetic.
  return exponent >= 20 ? rule.capSeconds : Math.min(rule.baseSeconds * 2 ** exponent, rule.capSeconds);
}

/** The account counter's key: the account's id, or the typed name when it names no account. */
export function accountKey({ userId, identifier }: Pick<SignInAttempt, 'userId' | 'identifier'>): string {
  return userId !== null ? `user:${userId}` : `name:${identifier.trim().toLowerCase().slice(0, 255)}`;
}

type Counter = { scope: ThrottleScope; failures: number; age_seconds: number };

function waitFor(counter: Counter | undefined, rule: ThrottleRule): number {
  if (!counter || counter.age_seconds > rule.windowSeconds) return 0;
  return Math.max(0, Math.ceil(backoffSeconds(counter.failures, rule) - counter.age_seconds));
}

async function signedInFrom(tx: Tx, userId: string, ip: string): Promise<boolean> {
  // On the (resource_type, resource_id) index: one account's audit rows of the last 30 days.
  const [row] = await tx.$queryRaw<{ known: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM audit_logs
       WHERE resource_type = 'user' AND resource_id = ${userId}::uuid AND action = ${SIGN_IN_ACTION}
         AND ip_address = ${ip}::inet
         AND created_at >= statement_timestamp() - make_interval(days => ${KNOWN_ADDRESS_DAYS}::int)
         AND created_at <= statement_timestamp()
    ) AS known`;
  return row?.known ?? false;
}

/**
 * Whether this attempt's password may be checked now, and if not, which counter refuses it and for how long. Call it
 * before verifying the password; a refused attempt should still cost a password check (lib/auth/password.ts) so it
 * takes the usual time.
 */
export async function checkSignInThrottle(tx: Tx, attempt: SignInAttempt): Promise<SignInThrottle> {
  const ip = normalizeIp(attempt.ip);
  const counters = await tx.$queryRaw<Counter[]>`
    SELECT scope, failures, extract(epoch FROM statement_timestamp() - last_failure_at)::float8 AS age_seconds
      FROM sign_in_throttles
     WHERE (scope = 'account' AND key = ${accountKey(attempt)}) OR (scope = 'address' AND key = ${ip ?? ''})`;
  const account = waitFor(
    counters.find((c) => c.scope === 'account'),
    ACCOUNT_RULE,
  );
  if (account > 0) return { allowed: false, scope: 'account', retryAfterSeconds: account };
  const address =
    ip === null
      ? 0
      : waitFor(
          counters.find((c) => c.scope === 'address'),
          ADDRESS_RULE,
        );
  if (address > 0 && !(attempt.userId !== null && (await signedInFrom(tx, attempt.userId, ip as string)))) {
    return { allowed: false, scope: 'address', retryAfterSeconds: address };
  }
  return { allowed: true };
}

async function countFailure(tx: Tx, scope: ThrottleScope, key: string, rule: ThrottleRule) {
  await tx.$executeRaw`
    INSERT INTO sign_in_throttles AS t (scope, key, failures, last_failure_at)
    VALUES (${scope}, ${key}, 1, statement_timestamp())
    ON CONFLICT (scope, key) DO UPDATE
       SET failures = CASE
             WHEN t.last_failure_at < statement_timestamp() - make_interval(secs => ${rule.windowSeconds}::int) THEN 1
             ELSE least(t.failures + 1, 1000000)
           END,
           last_failure_at = statement_timestamp()`;
}

/** A password check that failed (wrong password, unknown name, disabled account): both counters go up. */
export async function recordSignInFailure(tx: Tx, attempt: SignInAttempt): Promise<void> {
  await countFailure(tx, 'account', accountKey(attempt), ACCOUNT_RULE);
  const ip = normalizeIp(attempt.ip);
  if (ip !== null) await countFailure(tx, 'address', ip, ADDRESS_RULE);
}

/** A successful sign-in: the account's counter starts again; the address's does not (see above). */
export async function recordSignInSuccess(tx: Tx, attempt: SignInAttempt): Promise<void> {
  await tx.$executeRaw`DELETE FROM sign_in_throttles WHERE scope = 'account' AND key = ${accountKey(attempt)}`;
}

function inWords(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** What the person is told: which counter, and when to try again (the same for an account and a name that is none). */
export function throttleMessage(throttle: Extract<SignInThrottle, { allowed: false }>): string {
  const what = throttle.scope === 'account' ? 'for this account' : 'from your network address';
  return `Too many failed sign-ins ${what}. Try again in ${inWords(throttle.retryAfterSeconds)}.`;
}
