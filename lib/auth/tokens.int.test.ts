import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { asSystem, asUser } from '@/lib/db/context';
import { AppError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { BCRYPT_HASH, NO_SUCH_ID, uniqueName } from '@/lib/testing/fixtures';

import type { PlatformRole } from './permissions';
import { createApiToken, hashToken, listApiTokens, revokeApiToken, validateApiToken } from './tokens';

let test: TestDatabase;
type TestUser = { id: string; username: string; email: string; role: PlatformRole };
let owner: TestUser;
let other: TestUser;
let admin: TestUser;
const META = { ip: '203.0.113.7', userAgent: 'vitest' };

async function makeUser(role: PlatformRole): Promise<TestUser> {
  const name = uniqueName('u');
  return asSystem(test.db.prisma, (tx) =>
    tx.user.create({
      data: { username: name, email: `${name}@example.com`, passwordHash: BCRYPT_HASH, role },
      select: { id: true, username: true, email: true, role: true },
    }),
  ) as Promise<TestUser>;
}

function create(user: TestUser, name = uniqueName('tok'), expiresInDays = 30) {
  return asUser(test.db.prisma, user.id, (tx) =>
    createApiToken(tx, { actor: user, meta: META }, { name, expiresInDays }),
  );
}

function revoke(actor: TestUser, tokenId: string) {
  return asUser(test.db.prisma, actor.id, (tx) => revokeApiToken(tx, { actor, meta: META }, { tokenId }));
}

const validate = (token: string) => validateApiToken(test.db.prisma, token);
const sql = (text: string, params: unknown[] = []) => test.db.pool.query(text, params);

async function tokenRow(id: string) {
  const { rows } = await sql('SELECT * FROM api_tokens WHERE id = $1', [id]);
  return rows[0] as Record<string, unknown> | undefined;
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  test = await createTestDatabase();
  owner = await makeUser('developer');
  other = await makeUser('developer');
  admin = await makeUser('admin');
});

afterAll(async () => {
  await test?.drop();
});

describe('createApiToken', () => {
  it('returns the token once and stores only its SHA-256', async () => {
    const before = Date.now();
    const created = await create(owner, 'CI deploys', 30);
    expect(created.token).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);
    expect(created.expiresAt.getTime() - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1_000);
    expect(created.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);

    const row = await tokenRow(created.id);
    expect(row).toMatchObject({ user_id: owner.id, name: 'CI deploys', token_hash: hashToken(created.token) });
    // Grep the whole table and the audit log, as text, for the token and for its random part alone.
    for (const needle of [created.token, created.token.slice(4)]) {
      const { rows } = await sql(
        `SELECT (SELECT count(*) FROM api_tokens t WHERE t::text LIKE '%' || $1 || '%')::int AS tokens,
                (SELECT count(*) FROM audit_logs a WHERE a::text LIKE '%' || $1 || '%')::int AS audits`,
        [needle],
      );
      expect(rows[0]).toEqual({ tokens: 0, audits: 0 });
    }
  });

  it('refuses bad input with the schema error, writing nothing', async () => {
    const { rows: before } = await sql('SELECT count(*)::int AS n FROM api_tokens');
    for (const [name, days] of [
      ['ok', 0],
      ['ok', 366],
      ['ok', 1.5],
      ['', 30],
      ['n'.repeat(101), 30],
    ] as const) {
      expect(await thrown(create(owner, name, days))).toBeInstanceOf(ZodError);
    }
    const { rows: after } = await sql('SELECT count(*)::int AS n FROM api_tokens');
    expect(after[0].n).toBe(before[0].n);
  });

  it('refuses a disabled user', async () => {
    const user = await makeUser('developer');
    await sql('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    const error = await thrown(create(user));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('forbidden');
  });
});

describe('validateApiToken', () => {
  it('returns the owner as a SessionUser, and nothing more', async () => {
    const { token } = await create(owner);
    expect(await validate(token)).toEqual({
      id: owner.id,
      username: owner.username,
      email: owner.email,
      role: 'developer',
      preferences: {},
    });
  });

  it('refuses wrong, malformed and truncated tokens', async () => {
    const { token } = await create(owner);
    const hostile = [
      `slw_${'A'.repeat(43)}`, // well-formed, unknown
      token.slice(0, -1), // truncated
      `${token}A`, // one character more
      `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, // last character changed
      token.slice(4), // without the prefix
      `SLW_${token.slice(4)}`,
      ` ${token}`,
      `${token}\n`,
      hashToken(token), // the stored hash is not a credential
      '',
      'slw_',
    ];
    for (const candidate of hostile) expect(await validate(candidate), candidate).toBeNull();
    expect(await validate(token)).not.toBeNull();
  });

  it('refuses an expired token, without revoking it', async () => {
    const { token, id } = await create(owner);
    await sql(
      `UPDATE api_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    expect(await validate(token)).toBeNull();
    expect(await tokenRow(id)).toMatchObject({ revoked_at: null, last_used_at: null });
  });

  it('never extends a token, however close to its expiry it is used', async () => {
    const { token, id } = await create(owner, uniqueName('tok'), 30);
    await sql(
      `UPDATE api_tokens SET created_at = now() - interval '29 days', expires_at = now() + interval '1 hour' WHERE id = $1`,
      [id],
    );
    const expiresAt = (await tokenRow(id))!.expires_at as Date;
    expect(await validate(token)).not.toBeNull();
    expect(((await tokenRow(id))!.expires_at as Date).getTime()).toBe(expiresAt.getTime());
  });

  it('refuses a revoked token', async () => {
    const { token, id } = await create(owner);
    await revoke(owner, id);
    expect(await validate(token)).toBeNull();
  });

  it('refuses the tokens of a disabled user while disabled, without revoking them', async () => {
    const user = await makeUser('developer');
    const { token, id } = await create(user);
    await sql('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    expect(await validate(token)).toBeNull();
    expect((await tokenRow(id))!.revoked_at).toBeNull();
    await sql('UPDATE users SET disabled_at = NULL WHERE id = $1', [user.id]);
    expect(await validate(token)).toMatchObject({ id: user.id });
  });

  it("acts with the user's current role: never more than the user has now", async () => {
    const user = await makeUser('admin');
    const { token } = await create(user);
    expect(await validate(token)).toMatchObject({ role: 'admin' });
    await sql(`UPDATE users SET role = 'viewer' WHERE id = $1`, [user.id]);
    expect(await validate(token)).toMatchObject({ id: user.id, role: 'viewer' });
  });

  it('loses its tokens with its user: deleting the user deletes the rows', async () => {
    const user = await makeUser('developer');
    const { token, id } = await create(user);
    await asSystem(test.db.prisma, (tx) => tx.user.delete({ where: { id: user.id } }));
    expect(await tokenRow(id)).toBeUndefined();
    expect(await validate(token)).toBeNull();
  });

  it('records last use at most once a minute', async () => {
    const { token, id } = await create(owner);
    expect((await tokenRow(id))!.last_used_at).toBeNull();
    await validate(token);
    const first = (await tokenRow(id))!.last_used_at as Date;
    expect(first).toBeInstanceOf(Date);
    await validate(token);
    expect(((await tokenRow(id))!.last_used_at as Date).getTime()).toBe(first.getTime());
    await sql(`UPDATE api_tokens SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [id]);
    await validate(token);
    expect(((await tokenRow(id))!.last_used_at as Date).getTime()).toBeGreaterThan(Date.now() - 10_000);
  });
});

describe('listApiTokens', () => {
  it("lists the user's own tokens, newest first, with their status and without any hash", async () => {
    const user = await makeUser('viewer');
    const first = await create(user, 'first');
    const second = await create(user, 'second');
    const third = await create(user, 'third');
    await create(other, 'not theirs');
    await sql(
      `UPDATE api_tokens SET created_at = now() - interval '3 days', expires_at = now() - interval '1 day' WHERE id = $1`,
      [first.id],
    );
    await sql(`UPDATE api_tokens SET created_at = now() - interval '2 days' WHERE id = $1`, [second.id]);
    await revoke(user, second.id);

    const list = await asUser(test.db.prisma, user.id, (tx) => listApiTokens(tx, user.id));
    expect(list.map((token) => [token.name, token.status])).toEqual([
      ['third', 'active'],
      ['second', 'revoked'],
      ['first', 'expired'],
    ]);
    for (const token of list) {
      expect(Object.keys(token).sort()).toEqual([
        'createdAt',
        'expiresAt',
        'id',
        'lastUsedAt',
        'name',
        'revokedAt',
        'status',
      ]);
      expect(JSON.stringify(token)).not.toContain(hashToken(third.token));
    }
  });
});

describe('revokeApiToken', () => {
  it('refuses another non-admin user, leaving the token working', async () => {
    const { token, id } = await create(owner);
    const error = await thrown(revoke(other, id));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('forbidden');
    expect((await tokenRow(id))!.revoked_at).toBeNull();
    expect(await validate(token)).not.toBeNull();
  });

  it("lets an admin revoke any user's token", async () => {
    const { token, id } = await create(owner);
    expect(await revoke(admin, id)).toEqual({ id, userId: owner.id });
    expect((await tokenRow(id))!.revoked_at).toBeInstanceOf(Date);
    expect(await validate(token)).toBeNull();
  });

  it('two revokes at once: one wins, the other is a conflict, one audit row', async () => {
    const { id } = await create(owner);
    const results = await Promise.allSettled([revoke(owner, id), revoke(admin, id)]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failed = results.find((result) => result.status === 'rejected');
    expect((failed?.reason as AppError).code).toBe('conflict');
    const { rows } = await sql(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'token.revoke' AND details ->> 'id' = $1`,
      [id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('a second revoke is a conflict; an unknown or malformed id is not found', async () => {
    const { id } = await create(owner);
    await revoke(owner, id);
    for (const [tokenId, code] of [
      [id, 'conflict'],
      [NO_SUCH_ID, 'not_found'],
      ["x' OR '1'='1", 'not_found'],
    ]) {
      const error = await thrown(revoke(owner, tokenId!));
      expect(error, tokenId).toBeInstanceOf(AppError);
      expect((error as AppError).code, tokenId).toBe(code);
    }
  });
});

describe('audit', () => {
  it('records create and revoke in the same transaction, naming the token by id and never by value', async () => {
    const { token, id, expiresAt } = await create(owner, 'audited');
    await revoke(admin, id);
    const { rows } = await sql(
      `SELECT user_id, action, resource_type, resource_id, details, ip_address::text AS ip, user_agent
         FROM audit_logs WHERE details ->> 'id' = $1 ORDER BY created_at, action`,
      [id],
    );
    const details = { id, name: 'audited', expiresAt: expiresAt.toISOString() };
    expect(rows).toEqual([
      {
        user_id: owner.id,
        action: 'token.create',
        resource_type: 'user',
        resource_id: owner.id,
        details,
        ip: expect.stringContaining('203.0.113.7'),
        user_agent: 'vitest',
      },
      {
        user_id: admin.id,
        action: 'token.revoke',
        resource_type: 'user',
        resource_id: owner.id,
        details,
        ip: expect.stringContaining('203.0.113.7'),
        user_agent: 'vitest',
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
  });

  it('writes no audit row when the revoke is refused', async () => {
    const { id } = await create(owner);
    await thrown(revoke(other, id));
    const { rows } = await sql(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'token.revoke' AND details ->> 'id' = $1`,
      [id],
    );
    expect(rows[0].n).toBe(0);
  });
});
