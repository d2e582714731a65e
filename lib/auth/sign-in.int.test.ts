// Sign-in and first-run setup against a real PostgreSQL: generic failures, audit rows, throttling per account and per
// address (D65), the setup race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { asSystem } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';

import { authorizeCredentials as authorize } from './options';
import { hashPassword } from './password';
import { createFirstUser, needsSetup } from './setup';
import { ADDRESS_RULE, recordSignInFailure } from './throttle';

let t: TestDatabase;
const authorizeCredentials = (raw: unknown, meta = req('198.51.100.200')) => authorize(t.db.prisma, raw, meta);

const meta = { ip: '203.0.113.7', userAgent: 'vitest' };
const req = (ip: string) => ({ ip, userAgent: 'vitest' });
const PASSWORD = 'correct horse battery staple';

async function auditRows(action: string) {
  const { rows } = await t.db.pool.query(
    'SELECT user_id, resource_id, details, host(ip_address) AS ip FROM audit_logs WHERE action = $1 ORDER BY id',
    [action],
  );
  return rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.pool.query('SELECT ensure_audit_log_partitions(1)');
});

afterAll(async () => {
  await t.drop();
});

describe('first-run setup', () => {
  it('lets exactly one of several concurrent setups create the super_admin', async () => {
    expect(await needsSetup(t.db.prisma)).toBe(true);
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        createFirstUser(
          t.db.prisma,
          { username: `admin${i}`, email: `admin${i}@example.com`, password: PASSWORD },
          meta,
        ),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const failed of attempts.filter((a) => a.status === 'rejected')) {
      expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    }
    const { rows } = await t.db.pool.query('SELECT role, password_hash FROM users');
    expect(rows).toHaveLength(1);
    expect(rows[0].role).toBe('super_admin');
    expect(rows[0].password_hash).toMatch(/^\$2[aby]\$12\$/);
    expect(await needsSetup(t.db.prisma)).toBe(false);
    const [audit] = await auditRows('user.create');
    expect(audit).toMatchObject({ ip: '203.0.113.7', details: { role: 'super_admin', via: 'setup' } });
  });
});

describe('authorizeCredentials', () => {
  beforeAll(async () => {
    await t.db.pool.query("UPDATE users SET username = 'root', email = 'Root@Example.com'");
  });

  it('signs in by username or case-insensitive email, and records it', async () => {
    expect(await authorizeCredentials({ identifier: 'root', password: PASSWORD }, req('198.51.100.1'))).toMatchObject({
      name: 'root',
    });
    expect(
      await authorizeCredentials({ identifier: 'root@example.com', password: PASSWORD }, req('198.51.100.1')),
    ).toMatchObject({
      name: 'root',
      sv: expect.any(Number),
    });
    expect((await auditRows('auth.sign_in')).length).toBe(2);
  });

  it('answers null alike for a wrong password and an unknown user, and records both without the password', async () => {
    expect(
      await authorizeCredentials({ identifier: 'root', password: 'wrong password!!' }, req('198.51.100.2')),
    ).toBeNull();
    expect(
      await authorizeCredentials({ identifier: 'nobody', password: 'wrong password!!' }, req('198.51.100.2')),
    ).toBeNull();
    const failed = await auditRows('auth.sign_in_failed');
    expect(failed.map((r) => r.details.identifier)).toEqual(['root', 'nobody']);
    expect(JSON.stringify(failed)).not.toContain('wrong password');
    expect(failed[1]).toMatchObject({ user_id: null, resource_id: null, ip: '198.51.100.2' });
  });

  it.each([
    [{}],
    [{ identifier: '', password: 'x' }],
    [{ identifier: 'root' }],
    [null],
    [{ identifier: 'a'.repeat(300), password: 'x' }],
  ])('refuses malformed credentials %j', async (raw) => {
    expect(await authorizeCredentials(raw, req('198.51.100.3'))).toBeNull();
  });

  it('serializes a burst of parallel guesses on one account, so the throttle still applies', async () => {
    await createUser('burst_target', 'burst@example.com');
    const guesses = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        authorizeCredentials({ identifier: 'burst_target', password: `guess ${i}` }, req(`192.0.2.${i}`)),
      ),
    );
    // Four failures are let through; every later guess is throttled, even though they all started together.
    expect(guesses.filter((g) => g.status === 'rejected').length).toBeGreaterThanOrEqual(7);
  });

  it('throttles an account after repeated failures, even with the right password', async () => {
    await t.db.pool.query("UPDATE users SET email = 'root@example.com' WHERE username = 'root'");
    for (let i = 0; i < 6; i += 1) {
      await authorizeCredentials(
        { identifier: 'root', password: `bad password ${i}` },
        req(`198.51.100.${10 + i}`),
      ).catch(() => null);
    }
    await expect(
      authorizeCredentials({ identifier: 'root', password: PASSWORD }, req('198.51.100.99')),
    ).rejects.toThrow(/Too many failed sign-ins/);
  });

  // 23 bcrypt checks (bcryptjs, cost 12, on the main thread) on a loaded two-core runner can outlast the usual 60 s.
  it("keeps another account's correct sign-in working from an address whose attacker failed 22 times", async () => {
    const [victim, colleague] = [
      await createUser('victim_a', 'a@example.com'),
      await createUser('colleague_b', 'b@example.com'),
    ];
    const office = req('198.51.100.60');
    for (let i = 0; i < 22; i += 1) {
      // Every guess is a real password check: the attacker waits out the account's backoff each time.
      expect(await authorizeCredentials({ identifier: 'victim_a', password: `guess ${i}` }, office)).toBeNull();
      await ageAccount(victim, 15 * 60 + 1);
    }
    expect(await authorizeCredentials({ identifier: 'colleague_b', password: PASSWORD }, office)).toMatchObject({
      id: colleague,
    });
    // The attacked account itself stays throttled, at the cap, for its right password from this address too.
    await authorizeCredentials({ identifier: 'victim_a', password: 'one more guess' }, office);
    await expect(authorizeCredentials({ identifier: 'victim_a', password: PASSWORD }, office)).rejects.toThrow(
      'Too many failed sign-ins for this account. Try again in 15 minutes.',
    );
  }, 180_000);

  it('throttles an account from every address once it has failed, for longer after each further failure', async () => {
    const target = await createUser('roaming_target', 'roaming@example.com');
    for (let i = 0; i < 5; i += 1) {
      expect(
        await authorizeCredentials({ identifier: 'roaming_target', password: `guess ${i}` }, req('192.0.2.100')),
      ).toBeNull();
    }
    const fromElsewhere = () =>
      authorizeCredentials({ identifier: 'Roaming@Example.com', password: PASSWORD }, req('203.0.113.50'));
    await expect(fromElsewhere()).rejects.toThrow('for this account. Try again in 30 seconds.');
    await ageAccount(target, 31);
    expect(
      await authorizeCredentials({ identifier: 'roaming_target', password: 'guess 5' }, req('192.0.2.101')),
    ).toBeNull();
    await expect(fromElsewhere()).rejects.toThrow('for this account. Try again in 1 minute.');
    await ageAccount(target, 61);
    expect(await fromElsewhere()).toMatchObject({ id: target });
    // A success starts the account again: the next wrong password is not yet throttled.
    expect(
      await authorizeCredentials({ identifier: 'roaming_target', password: 'guess 6' }, req('192.0.2.100')),
    ).toBeNull();
    expect(await fromElsewhere()).toMatchObject({ id: target });
  });

  it('throttles an address spraying many accounts, except for accounts that signed in from it before', async () => {
    const regular = await createUser('regular_here', 'regular@example.com');
    await createUser('newcomer', 'newcomer@example.com');
    const sprayer = req('198.51.100.70');
    expect(await authorizeCredentials({ identifier: 'regular_here', password: PASSWORD }, sprayer)).toMatchObject({
      id: regular,
    });
    // The spray's first 45 names straight into the counters (a password check each would take minutes here), the
    // last five through sign-in itself.
    await asSystem(t.db.prisma, async (tx) => {
      for (let i = 0; i < ADDRESS_RULE.threshold - 5; i += 1) {
        await recordSignInFailure(tx, { userId: null, identifier: `sprayed_${i}`, ip: sprayer.ip });
      }
    });
    for (let i = 0; i < 5; i += 1) {
      expect(
        await authorizeCredentials({ identifier: `sprayed_last_${i}`, password: 'Summer2026!' }, sprayer),
      ).toBeNull();
    }
    await expect(authorizeCredentials({ identifier: 'newcomer', password: PASSWORD }, sprayer)).rejects.toThrow(
      'Too many failed sign-ins from your network address. Try again in 30 seconds.',
    );
    await expect(
      authorizeCredentials({ identifier: 'sprayed_next', password: 'Summer2026!' }, sprayer),
    ).rejects.toThrow('from your network address');
    expect(await authorizeCredentials({ identifier: 'regular_here', password: PASSWORD }, sprayer)).toMatchObject({
      id: regular,
    });
    expect(
      await authorizeCredentials({ identifier: 'newcomer', password: PASSWORD }, req('198.51.100.71')),
    ).toMatchObject({ name: 'newcomer' });
  });

  it('refuses a disabled user', async () => {
    await createUser('disabled_one', 'disabled@example.com');
    await t.db.pool.query("UPDATE users SET disabled_at = now() WHERE username = 'disabled_one'");
    expect(
      await authorizeCredentials({ identifier: 'disabled_one', password: PASSWORD }, req('198.51.100.50')),
    ).toBeNull();
  });
});

async function createUser(username: string, email: string): Promise<string> {
  const { rows } = await t.db.pool.query<{ id: string }>(
    'INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING id',
    [username, email, await hashPassword(PASSWORD)],
  );
  return rows[0]!.id;
}

/** Time passing for one account's throttle: its last failure moved `seconds` back (no waiting). */
async function ageAccount(userId: string, seconds: number) {
  await t.db.pool.query(
    `UPDATE sign_in_throttles SET last_failure_at = last_failure_at - make_interval(secs => $2)
      WHERE scope = 'account' AND key = $1`,
    [`user:${userId}`, seconds],
  );
}
