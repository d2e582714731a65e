// D62: a password change, signing out everywhere and disabling an account revoke its API tokens (the first two
// unless the person keeps them); a role change keeps them. Each case proves a real token authenticates before the
// event and is refused after it (or still works when kept), the Tokens list shows it revoked, and the audit row says
// what happened to the tokens.
import { describe, expect, it } from 'vitest';

import { hashPassword } from '@/lib/auth/password';
import type { PlatformRole } from '@/lib/auth/permissions';
import { createApiToken, listApiTokens, validateApiToken } from '@/lib/auth/tokens';
import { asSystem, asUser, type Tx } from '@/lib/db/context';
import { runAsSystem, type WorkContext } from '@/lib/db/work';
import { newUser, setUpTestDatabase, workContext, type TestUser } from '@/lib/testing/fixtures';

import { changePassword, changeRole, setDisabled, signOutEverywhere } from './mutations';

const t = setUpTestDatabase();
const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'quiet lantern over seven hills';

async function personWithPassword(role: PlatformRole = 'developer'): Promise<TestUser> {
  const user = await newUser(t(), role);
  const passwordHash = await hashPassword(PASSWORD);
  await asSystem(t().db.prisma, (tx) =>
    tx.user.update({ where: { id: user.id }, data: { passwordHash, authProvider: 'password' } }),
  );
  return user;
}

/** A working token of the user (checked), and its id. */
async function tokenOf(user: TestUser): Promise<{ token: string; id: string }> {
  const made = await asUser(t().db.prisma, user.id, (tx) =>
    createApiToken(tx, workContext(user), { name: 'ci', expiresInDays: 30 }),
  );
  expect(await validateApiToken(t().db.prisma, made.token)).toMatchObject({ id: user.id });
  return made;
}

const authenticates = async (token: string) => (await validateApiToken(t().db.prisma, token)) !== null;

const statusOf = async (user: TestUser, id: string) =>
  (await asUser(t().db.prisma, user.id, (tx) => listApiTokens(tx, user.id))).find((row) => row.id === id)?.status;

const run = <T>(actor: TestUser, work: (tx: Tx, ctx: WorkContext) => Promise<T>) =>
  runAsSystem(t().db.prisma, (tx) => work(tx, workContext(actor)));

async function lastAudit(action: string, resourceId: string) {
  const { rows } = await t().db.pool.query<{ user_id: string; details: Record<string, unknown> }>(
    'SELECT user_id, details FROM audit_logs WHERE action = $1 AND resource_id = $2 ORDER BY id DESC LIMIT 1',
    [action, resourceId],
  );
  return rows[0];
}

describe('changing your password', () => {
  it('revokes your API tokens by default, and says how many in its audit row', async () => {
    const user = await personWithPassword();
    const first = await tokenOf(user);
    const second = await tokenOf(user);

    const outcome = await run(user, (tx, ctx) =>
      changePassword(tx, ctx, { userId: user.id, current: PASSWORD, next: NEW_PASSWORD }),
    );

    expect(outcome).toEqual({ apiAccess: 'revoked', revokedCount: 2 });
    expect(await authenticates(first.token)).toBe(false);
    expect(await authenticates(second.token)).toBe(false);
    expect(await statusOf(user, first.id)).toBe('revoked');
    expect((await lastAudit('user.password_change', user.id))?.details).toEqual({
      apiAccess: 'revoked',
      revokedCount: 2,
    });
  });

  it('keeps them working when asked to, and says so', async () => {
    const user = await personWithPassword();
    const { token, id } = await tokenOf(user);

    await run(user, (tx, ctx) =>
      changePassword(tx, ctx, { userId: user.id, current: PASSWORD, next: NEW_PASSWORD, keepApiTokens: true }),
    );

    expect(await authenticates(token)).toBe(true);
    expect(await statusOf(user, id)).toBe('active');
    expect((await lastAudit('user.password_change', user.id))?.details).toEqual({ apiAccess: 'kept' });
  });

  it('leaves a wrong current password without effect on the tokens', async () => {
    const user = await personWithPassword();
    const { token } = await tokenOf(user);
    await expect(
      run(user, (tx, ctx) =>
        changePassword(tx, ctx, { userId: user.id, current: 'not the password at all', next: NEW_PASSWORD }),
      ),
    ).rejects.toMatchObject({ code: 'invalid' });
    expect(await authenticates(token)).toBe(true);
  });
});

describe('signing out everywhere', () => {
  it('revokes your API tokens by default, and only live ones count', async () => {
    const user = await personWithPassword();
    const { token, id } = await tokenOf(user);
    const expired = await tokenOf(user);
    await t().systemPool.query(
      "UPDATE api_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1",
      [expired.id],
    );

    const outcome = await run(user, (tx, ctx) => signOutEverywhere(tx, ctx, user.id));

    expect(outcome).toEqual({ apiAccess: 'revoked', revokedCount: 1 });
    expect(await authenticates(token)).toBe(false);
    expect(await statusOf(user, id)).toBe('revoked');
    expect(await statusOf(user, expired.id)).toBe('expired');
    expect((await lastAudit('user.sign_out_everywhere', user.id))?.details).toEqual({
      self: true,
      apiAccess: 'revoked',
      revokedCount: 1,
    });
  });

  it('keeps them working when asked to, and says so', async () => {
    const user = await personWithPassword();
    const { token } = await tokenOf(user);

    await run(user, (tx, ctx) => signOutEverywhere(tx, ctx, user.id, { keepApiTokens: true }));

    expect(await authenticates(token)).toBe(true);
    expect((await lastAudit('user.sign_out_everywhere', user.id))?.details).toEqual({ self: true, apiAccess: 'kept' });
  });

  it("revokes another user's tokens when an administrator signs them out", async () => {
    const admin = await newUser(t(), 'admin');
    const user = await personWithPassword();
    const { token } = await tokenOf(user);

    await run(admin, (tx, ctx) => signOutEverywhere(tx, ctx, user.id));

    expect(await authenticates(token)).toBe(false);
    expect(await lastAudit('user.sign_out_everywhere', user.id)).toEqual({
      user_id: admin.id,
      details: { username: user.username, apiAccess: 'revoked', revokedCount: 1 },
    });
  });
});

describe('an administrator', () => {
  it('disabling a user revokes their tokens, which stay revoked when the user is enabled again', async () => {
    const admin = await newUser(t(), 'admin');
    const user = await personWithPassword();
    const { token, id } = await tokenOf(user);

    await run(admin, (tx, ctx) => setDisabled(tx, ctx, { userId: user.id, disabled: true }));
    expect(await authenticates(token)).toBe(false);
    expect((await lastAudit('user.disable', user.id))?.details).toEqual({
      username: user.username,
      apiAccess: 'revoked',
      revokedCount: 1,
    });

    await run(admin, (tx, ctx) => setDisabled(tx, ctx, { userId: user.id, disabled: false }));
    expect(await authenticates(token)).toBe(false);
    expect(await statusOf(user, id)).toBe('revoked');
  });

  it('changing a role keeps the tokens, which act with the new role', async () => {
    const admin = await newUser(t(), 'admin');
    const user = await personWithPassword('developer');
    const { token, id } = await tokenOf(user);

    await run(admin, (tx, ctx) => changeRole(tx, ctx, { userId: user.id, role: 'viewer' }));

    expect(await validateApiToken(t().db.prisma, token)).toMatchObject({ id: user.id, role: 'viewer' });
    expect(await statusOf(user, id)).toBe('active');
  });
});
