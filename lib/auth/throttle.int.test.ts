// Sign-in throttle counters against a real PostgreSQL: the backoff of each counter, the known-address exemption,
// and pruning. Time passes by moving a counter's last failure back, never by waiting.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { recordAudit } from '@/lib/audit/write';
import { asSystem } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';

import {
  ACCOUNT_RULE,
  accountKey,
  ADDRESS_RULE,
  backoffSeconds,
  checkSignInThrottle,
  recordSignInFailure,
  recordSignInSuccess,
  SIGN_IN_ACTION,
  throttleMessage,
  type SignInAttempt,
} from './throttle';

let t: TestDatabase;
let ipSequence = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.pool.query('SELECT ensure_audit_log_partitions(1)');
});

afterAll(async () => {
  await t.drop();
});

/** An address no other test of this file uses, so each test counts only its own failures. */
const freshIp = () => `198.51.100.${(ipSequence += 1)}`;
const attempt = (over: Partial<SignInAttempt> = {}): SignInAttempt => ({
  userId: randomUUID(),
  identifier: 'someone',
  ip: null,
  ...over,
});

const check = (a: SignInAttempt) => asSystem(t.db.prisma, (tx) => checkSignInThrottle(tx, a));
async function fail(a: SignInAttempt, count = 1) {
  for (let i = 0; i < count; i += 1) await asSystem(t.db.prisma, (tx) => recordSignInFailure(tx, a));
}
/** Moves every counter of `a` (account and address) `seconds` into the past. */
async function age(a: SignInAttempt, seconds: number) {
  await t.db.pool.query(
    `UPDATE sign_in_throttles SET last_failure_at = last_failure_at - make_interval(secs => $3)
      WHERE (scope = 'account' AND key = $1) OR (scope = 'address' AND key = $2)`,
    [accountKey(a), a.ip ?? '', seconds],
  );
}

describe('backoffSeconds', () => {
  it.each([
    [0, ACCOUNT_RULE, 0],
    [4, ACCOUNT_RULE, 0],
    [5, ACCOUNT_RULE, 30],
    [6, ACCOUNT_RULE, 60],
    [7, ACCOUNT_RULE, 120],
    [9, ACCOUNT_RULE, 480],
    [10, ACCOUNT_RULE, 900],
    [1_000_000, ACCOUNT_RULE, 900],
    [49, ADDRESS_RULE, 0],
    [50, ADDRESS_RULE, 30],
    [Number.NaN, ACCOUNT_RULE, 0],
  ])('%d failures → %d s', (failures, rule, expected) => {
    expect(backoffSeconds(failures, rule)).toBe(expected);
  });
});

describe('the account counter', () => {
  it('lets four failures through, then waits 30 s after the fifth, 60 s after the sixth, up to 15 minutes', async () => {
    const a = attempt();
    await fail(a, 4);
    expect(await check(a)).toEqual({ allowed: true });
    await fail(a);
    expect(await check(a)).toEqual({ allowed: false, scope: 'account', retryAfterSeconds: 30 });
    await age(a, 31);
    expect(await check(a)).toEqual({ allowed: true });
    await fail(a);
    expect(await check(a)).toEqual({ allowed: false, scope: 'account', retryAfterSeconds: 60 });
    await fail(a, 10);
    expect(await check(a)).toEqual({ allowed: false, scope: 'account', retryAfterSeconds: 900 });
  });

  it('holds from every address, and not against another account', async () => {
    const a = attempt({ ip: freshIp() });
    await fail(a, 5);
    expect((await check({ ...a, ip: freshIp() })).allowed).toBe(false);
    expect((await check({ ...a, ip: null })).allowed).toBe(false);
    expect(await check(attempt({ ip: a.ip }))).toEqual({ allowed: true });
  });

  it('starts again after a successful sign-in, or a day without failures', async () => {
    const [a, b] = [attempt(), attempt()];
    await fail(a, 6);
    await fail(b, 6);
    await asSystem(t.db.prisma, (tx) => recordSignInSuccess(tx, a));
    await fail(a, 4);
    expect(await check(a)).toEqual({ allowed: true });
    await age(b, 86_401);
    await fail(b, 4);
    expect(await check(b)).toEqual({ allowed: true });
  });

  it('throttles a name that is no account the same way, by what was typed, so throttling reveals no account', async () => {
    await fail(attempt({ userId: null, identifier: ' Ghost@Example.com' }), 5);
    const again = await check(attempt({ userId: null, identifier: 'ghost@example.com ' }));
    expect(again).toEqual({ allowed: false, scope: 'account', retryAfterSeconds: 30 });
    expect(await check(attempt({ userId: null, identifier: 'ghost2@example.com' }))).toEqual({ allowed: true });
  });
});

describe('the address counter', () => {
  it('throttles an address after 50 failures across accounts, and a success elsewhere does not reset it', async () => {
    const ip = freshIp();
    for (let i = 0; i < ADDRESS_RULE.threshold - 1; i += 1) await fail(attempt({ ip }));
    expect(await check(attempt({ ip }))).toEqual({ allowed: true });
    await asSystem(t.db.prisma, (tx) => recordSignInSuccess(tx, attempt({ ip })));
    await fail(attempt({ userId: null, identifier: 'nobody', ip }));
    expect(await check(attempt({ ip }))).toEqual({ allowed: false, scope: 'address', retryAfterSeconds: 30 });
    // The same address written as IPv4-mapped IPv6, as a dual-stack socket reports it.
    expect((await check(attempt({ ip: `::ffff:${ip}` }))).allowed).toBe(false);
    expect(await check(attempt({ ip: freshIp() }))).toEqual({ allowed: true });
    expect(await check(attempt({ ip: null }))).toEqual({ allowed: true });
  });

  it('does not hold an account that signed in from that address in the last 30 days', async () => {
    const ip = freshIp();
    const [known, stale, elsewhere] = [randomUUID(), randomUUID(), randomUUID()];
    await asSystem(t.db.prisma, async (tx) => {
      const signIn = { action: SIGN_IN_ACTION, resourceType: 'user' as const, details: {} };
      // userId null: these accounts are ids only (no users rows); the exemption reads resource_id.
      await recordAudit(tx, { ...signIn, userId: null, resourceId: known, ip });
      await recordAudit(tx, { ...signIn, userId: null, resourceId: elsewhere, ip: freshIp() });
      await tx.auditLog.create({
        data: { ...signIn, resourceId: stale, ipAddress: ip, createdAt: new Date(Date.now() - 31 * 86_400_000) },
      });
    });
    await fail(attempt({ ip }), ADDRESS_RULE.threshold);
    expect(await check(attempt({ userId: known, ip }))).toEqual({ allowed: true });
    expect((await check(attempt({ userId: stale, ip }))).allowed).toBe(false);
    expect((await check(attempt({ userId: elsewhere, ip }))).allowed).toBe(false);
    expect((await check(attempt({ userId: null, identifier: 'nobody', ip }))).allowed).toBe(false);
  });

  it('forgets an address after an hour without failures', async () => {
    const a = attempt({ ip: freshIp() });
    await fail(a, ADDRESS_RULE.threshold);
    await t.db.pool.query(
      `UPDATE sign_in_throttles SET last_failure_at = last_failure_at - interval '3601 seconds'
        WHERE scope = 'address' AND key = $1`,
      [a.ip],
    );
    expect(await check(attempt({ ip: a.ip }))).toEqual({ allowed: true });
  });
});

describe('prune_sign_in_throttles', () => {
  it('deletes account counters a day old and address counters an hour old, and keeps the rest', async () => {
    const [old, fresh] = [attempt({ ip: freshIp() }), attempt({ ip: freshIp() })];
    await fail(old);
    await fail(fresh);
    await t.db.pool.query(
      `UPDATE sign_in_throttles SET last_failure_at = last_failure_at - interval '3601 seconds' WHERE key = $1`,
      [fresh.ip],
    );
    await age(old, 86_401);
    await t.db.pool.query('SELECT prune_sign_in_throttles()');
    const { rows } = await t.db.pool.query<{ scope: string; key: string }>(
      'SELECT scope, key FROM sign_in_throttles WHERE key = ANY($1) ORDER BY scope',
      [[accountKey(old), old.ip, accountKey(fresh), fresh.ip]],
    );
    expect(rows).toEqual([{ scope: 'account', key: accountKey(fresh) }]);
  });
});

describe('throttleMessage', () => {
  it.each([
    ['account', 30, 'Too many failed sign-ins for this account. Try again in 30 seconds.'],
    ['account', 1, 'Too many failed sign-ins for this account. Try again in 1 second.'],
    ['account', 61, 'Too many failed sign-ins for this account. Try again in 2 minutes.'],
    ['address', 900, 'Too many failed sign-ins from your network address. Try again in 15 minutes.'],
  ] as const)('%s, %d s', (scope, retryAfterSeconds, text) => {
    expect(throttleMessage({ allowed: false, scope, retryAfterSeconds })).toBe(text);
  });
});
