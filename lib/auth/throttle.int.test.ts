// Sign-in throttling against a real PostgreSQL: the audit rows sign-in writes are what is counted.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { recordAudit } from '@/lib/audit/write';
import { asSystem } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { queryPlan } from '@/lib/testing/fixtures';

import {
  backoffSeconds,
  checkSignInThrottle,
  SIGN_IN_ACTION,
  SIGN_IN_FAILED_ACTION,
  signInThrottleSql,
  type SignInThrottleInput,
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

/** An address no other test of this file uses, so each test counts only its own rows. */
const freshIp = () => `198.51.100.${(ipSequence += 1)}`;
const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000);

type Attempt = { userId?: string | null; identifier?: string; ip?: string | null };

/** Writes `count` audit rows the way sign-in does; `at` backdates them (written directly: recordAudit stamps now()). */
async function record(
  action: string,
  { userId = null, identifier = 'someone', ip = null }: Attempt,
  count = 1,
  at?: Date,
) {
  await asSystem(t.db.prisma, async (tx) => {
    for (let i = 0; i < count; i += 1) {
      const entry = {
        userId: null,
        action,
        resourceType: 'user' as const,
        resourceId: userId,
        details: { identifier },
        ip,
      };
      if (at) {
        await tx.auditLog.create({
          data: {
            action,
            resourceType: 'user',
            resourceId: userId,
            details: { identifier },
            ipAddress: ip,
            createdAt: at,
          },
        });
      } else {
        await recordAudit(tx, entry);
      }
    }
  });
}

const check = (input: SignInThrottleInput) => asSystem(t.db.prisma, (tx) => checkSignInThrottle(tx, input));

describe('backoffSeconds', () => {
  it.each([
    [0, 5, 0],
    [4, 5, 0],
    [5, 5, 1],
    [6, 5, 2],
    [7, 5, 4],
    [14, 5, 512],
    [15, 5, 900],
    [1_000_000, 5, 900],
    [19, 20, 0],
    [20, 20, 1],
    [Number.NaN, 5, 0],
  ])('%d failures, threshold %d → %d s', (failures, threshold, expected) => {
    expect(backoffSeconds(failures, threshold)).toBe(expected);
  });
});

describe('checkSignInThrottle per account', () => {
  it('lets four failures through, then waits 1 s after the fifth and 2 s after the sixth', async () => {
    const userId = randomUUID();
    expect(await check({ userId, ip: null })).toEqual({ allowed: true, retryAfterSeconds: 0 });
    await record(SIGN_IN_FAILED_ACTION, { userId, ip: freshIp() }, 4);
    expect(await check({ userId, ip: null })).toEqual({ allowed: true, retryAfterSeconds: 0 });
    await record(SIGN_IN_FAILED_ACTION, { userId, ip: freshIp() });
    expect(await check({ userId, ip: null })).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await check({ userId, ip: null, now: secondsFromNow(1.5) })).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
    });
    await record(SIGN_IN_FAILED_ACTION, { userId, ip: freshIp() });
    expect(await check({ userId, ip: null })).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it('starts again after a successful sign-in', async () => {
    const userId = randomUUID();
    await record(SIGN_IN_FAILED_ACTION, { userId }, 6);
    expect((await check({ userId, ip: null })).allowed).toBe(false);
    await record(SIGN_IN_ACTION, { userId });
    await record(SIGN_IN_FAILED_ACTION, { userId }, 4);
    expect(await check({ userId, ip: null })).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it('counts only the last 15 minutes', async () => {
    const [recent, old] = [randomUUID(), randomUUID()];
    await record(SIGN_IN_FAILED_ACTION, { userId: recent }, 5, secondsFromNow(-14 * 60));
    await record(SIGN_IN_FAILED_ACTION, { userId: old }, 5, secondsFromNow(-16 * 60));
    await record(SIGN_IN_FAILED_ACTION, { userId: recent });
    await record(SIGN_IN_FAILED_ACTION, { userId: old });
    expect(await check({ userId: recent, ip: null })).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(await check({ userId: old, ip: null })).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it('waits at most 15 minutes', async () => {
    const userId = randomUUID();
    await record(SIGN_IN_FAILED_ACTION, { userId }, 30);
    const { allowed, retryAfterSeconds } = await check({ userId, ip: null });
    expect(allowed).toBe(false);
    expect(retryAfterSeconds).toBeGreaterThan(895);
    expect(retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it("does not hold one account's failures against another", async () => {
    const [attacked, other] = [randomUUID(), randomUUID()];
    await record(SIGN_IN_FAILED_ACTION, { userId: attacked }, 8);
    expect((await check({ userId: attacked, ip: null })).allowed).toBe(false);
    expect((await check({ userId: other, ip: null })).allowed).toBe(true);
  });

  it('throttles an identifier that names no account the same way, so throttling does not reveal accounts', async () => {
    await record(SIGN_IN_FAILED_ACTION, { identifier: ' Ghost@Example.com' }, 5);
    expect(await check({ userId: null, identifier: 'ghost@example.com ', ip: null })).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    expect((await check({ userId: null, identifier: 'ghost2@example.com', ip: null })).allowed).toBe(true);
    expect((await check({ userId: null, ip: null })).allowed).toBe(true);
  });
});

describe('checkSignInThrottle per IP', () => {
  it('allows 19 failures from one address across accounts, throttles the 20th, and a success does not reset it', async () => {
    const ip = freshIp();
    for (let i = 0; i < 19; i += 1) await record(SIGN_IN_FAILED_ACTION, { userId: randomUUID(), ip });
    expect((await check({ userId: randomUUID(), ip })).allowed).toBe(true);
    await record(SIGN_IN_ACTION, { userId: randomUUID(), ip });
    await record(SIGN_IN_FAILED_ACTION, { userId: null, identifier: 'nobody', ip });
    expect(await check({ userId: randomUUID(), ip })).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // The same address written as IPv4-mapped IPv6, as a dual-stack socket reports it.
    expect((await check({ userId: null, ip: `::ffff:${ip}` })).allowed).toBe(false);
    expect((await check({ userId: randomUUID(), ip: freshIp() })).allowed).toBe(true);
  });

  it('counts IPv6 addresses, and treats an unreadable address as unknown', async () => {
    await record(SIGN_IN_FAILED_ACTION, { userId: randomUUID(), ip: '2001:db8::7' }, 20);
    expect((await check({ userId: null, ip: '2001:DB8:0::7' })).allowed).toBe(false);
    expect(await check({ userId: null, ip: 'not an address' })).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });
});

describe('the throttle queries', () => {
  // EXPLAIN as the superuser with sequential scans off: each query must be one an index can answer, and its
  // created_at bounds must leave only the partitions of the last 15 minutes to read.
  // Which index (created_at, action or resource) is the planner's choice and changes with the data.
  it.each([
    ['account', signInThrottleSql.account(randomUUID(), range())],
    ['identifier', signInThrottleSql.identifier('ghost@example.com', range())],
    ['ip', signInThrottleSql.ip('198.51.100.1', range())],
  ])('%s: uses an index and only the current partitions', async (_, sql) => {
    const plan = await queryPlan(t.name, sql);
    expect(plan).toMatch(
      /(Index|Index Only|Bitmap Index) Scan (using|on) audit_logs_\w+_(created_at|action|resource_type_resource_id)_idx/,
    );
    expect(plan).not.toMatch(/Seq Scan/);
    const scanned = new Set(plan.match(/\baudit_logs_(?:\d{4}_\d{2}|default)\b/g));
    const current = new Set([partitionOf(new Date()), partitionOf(secondsFromNow(-15 * 60))]);
    expect(scanned.size).toBeGreaterThan(0);
    for (const partition of scanned) expect(current).toContain(partition);
  });
});

function range() {
  return { from: secondsFromNow(-15 * 60).toISOString(), to: new Date().toISOString() };
}

function partitionOf(date: Date): string {
  return `audit_logs_${date.getUTCFullYear()}_${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}
