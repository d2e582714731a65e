import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { hashPassword, verifyPassword } from '@/lib/auth/password';
import type { PlatformRole } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import { runAsSystem } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { BCRYPT_HASH, NO_SUCH_ID, TEST_META, uniqueName, workContext, type TestUser } from '@/lib/testing/fixtures';
import type { Preferences } from '@/lib/validation/preferences';

import { changePassword, changeRole, createUser, setDisabled, signOutEverywhere, updatePreferences } from './mutations';
import { listUsers, USER_PAGE_SIZE } from './queries';

let test: TestDatabase;
const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'quiet lantern over seven hills';

let superAdmin: TestUser;
let admin: TestUser;

async function makeUser(role: PlatformRole, options: { password?: string; username?: string } = {}): Promise<TestUser> {
  const username = options.username ?? uniqueName('u');
  const passwordHash = options.password ? await hashPassword(options.password) : BCRYPT_HASH;
  const { rows } = await sql(
    'INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id, username, role',
    [username, `${username}@example.com`, passwordHash, role],
  );
  return rows[0] as TestUser;
}

const sql = (text: string, params: unknown[] = []) => test.db.pool.query(text, params);
const run = <T>(work: (tx: Tx) => Promise<T>) => runAsSystem(test.db.prisma, work);

async function userRow(id: string) {
  const { rows } = await sql(
    'SELECT role, password_hash, disabled_at, session_version, preferences FROM users WHERE id = $1',
    [id],
  );
  return rows[0] as {
    role: string;
    password_hash: string;
    disabled_at: Date | null;
    session_version: number;
    preferences: unknown;
  };
}

type AuditRow = {
  user_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
};

/** The audit rows written while `work` ran (tests in a file run one at a time), and what work returned or threw. */
async function audited(work: () => Promise<unknown>): Promise<{ rows: AuditRow[]; error: unknown }> {
  const { rows: mark } = await sql('SELECT coalesce(max(id), 0) AS id FROM audit_logs');
  let error: unknown;
  await work().catch((caught: unknown) => {
    error = caught;
  });
  const { rows } = await sql(
    `SELECT user_id, action, resource_type, resource_id, details, host(ip_address) AS ip, user_agent
       FROM audit_logs WHERE id > $1 ORDER BY id`,
    [mark[0].id],
  );
  return { rows: rows as AuditRow[], error };
}

/** Expects one authz.denied row by `actor` naming `action` and `target`, and a forbidden error. */
function expectDenied(
  result: { rows: AuditRow[]; error: unknown },
  actor: TestUser,
  action: string,
  target: string | null,
) {
  expect(result.error).toBeInstanceOf(AppError);
  expect((result.error as AppError).code).toBe('forbidden');
  expect(result.rows).toHaveLength(1);
  expect(result.rows[0]).toMatchObject({
    user_id: actor.id,
    action: 'authz.denied',
    resource_id: target,
    ip: TEST_META.ip,
  });
  expect(result.rows[0]!.details).toMatchObject({ action, target });
}

beforeAll(async () => {
  test = await createTestDatabase();
  superAdmin = await makeUser('super_admin');
  admin = await makeUser('admin');
});

afterAll(async () => {
  await test?.drop();
});

describe('createUser', () => {
  it('creates the account with a bcrypt hash and writes exactly one audit row without the password', async () => {
    const username = uniqueName('new');
    let id = '';
    const result = await audited(async () => {
      ({ id } = await run((tx) =>
        createUser(tx, workContext(admin), {
          username,
          email: `${username}@example.com`,
          role: 'developer',
          password: PASSWORD,
        }),
      ));
    });
    expect(result.error).toBeUndefined();
    const row = await userRow(id);
    expect(row.role).toBe('developer');
    expect(await verifyPassword(PASSWORD, row.password_hash)).toBe(true);
    expect(result.rows).toEqual([
      {
        user_id: admin.id,
        action: 'user.create',
        resource_type: 'user',
        resource_id: id,
        details: { username, role: 'developer' },
        ip: TEST_META.ip,
        user_agent: TEST_META.userAgent,
      },
    ]);
    expect(JSON.stringify(result.rows)).not.toContain(PASSWORD);
    expect(JSON.stringify(result.rows)).not.toContain(row.password_hash);
  });

  it('refuses a taken username or email (any case), naming the field', async () => {
    const taken = await makeUser('viewer');
    for (const [input, field] of [
      [{ username: taken.username, email: 'fresh@example.com' }, 'username'],
      [{ username: uniqueName('x'), email: `${taken.username.toUpperCase()}@EXAMPLE.com` }, 'email'],
    ] as const) {
      const result = await audited(() =>
        run((tx) => createUser(tx, workContext(admin), { ...input, role: 'viewer', password: PASSWORD })),
      );
      expect(result.error).toBeInstanceOf(AppError);
      expect((result.error as AppError).options.field).toBe(field);
      expect(result.rows).toEqual([]);
    }
  });

  it('lets an admin not create a super_admin, and a developer not create anyone', async () => {
    const developer = await makeUser('developer');
    const username = uniqueName('nope');
    const input = { username, email: `${username}@example.com`, password: PASSWORD };
    expectDenied(
      await audited(() => run((tx) => createUser(tx, workContext(admin), { ...input, role: 'super_admin' }))),
      admin,
      'user.create',
      null,
    );
    expectDenied(
      await audited(() => run((tx) => createUser(tx, workContext(developer), { ...input, role: 'viewer' }))),
      developer,
      'user.create',
      null,
    );
    const { rowCount } = await sql('SELECT 1 FROM users WHERE username = $1', [username]);
    expect(rowCount).toBe(0);
  });
});

describe('changeRole', () => {
  it('changes the role, audits {from, to} and ends the sessions', async () => {
    const target = await makeUser('developer');
    const before = await userRow(target.id);
    const result = await audited(() =>
      run((tx) => changeRole(tx, workContext(admin), { userId: target.id, role: 'viewer' })),
    );
    expect(result.error).toBeUndefined();
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({
      user_id: admin.id,
      action: 'user.role_change',
      resource_id: target.id,
      ip: TEST_META.ip,
    });
    expect(result.rows[0]!.details).toMatchObject({ from: 'developer', to: 'viewer' });
    const after = await userRow(target.id);
    expect(after.role).toBe('viewer');
    expect(after.session_version).toBe(before.session_version + 1);
  });

  it('writes nothing when the role is already the one asked for', async () => {
    const target = await makeUser('viewer');
    const result = await audited(() =>
      run((tx) => changeRole(tx, workContext(admin), { userId: target.id, role: 'viewer' })),
    );
    expect(result.rows).toEqual([]);
    expect((await userRow(target.id)).session_version).toBe(1);
  });

  it.each([
    ['an admin demoting a super_admin', () => admin, () => superAdmin, 'admin'],
    ['an admin granting super_admin', () => admin, () => makeUser('developer'), 'super_admin'],
    ['an admin changing their own role', () => admin, () => admin, 'developer'],
    ['a super_admin changing their own role', () => superAdmin, () => superAdmin, 'admin'],
    ['a developer changing a viewer', () => makeUser('developer'), () => makeUser('viewer'), 'developer'],
  ] as const)('refuses %s, records authz.denied and changes nothing', async (_, actorOf, targetOf, role) => {
    const actor = await actorOf();
    const target = await targetOf();
    const before = await userRow(target.id);
    const result = await audited(() =>
      run((tx) => changeRole(tx, workContext(actor), { userId: target.id, role: role as PlatformRole })),
    );
    expectDenied(result, actor, 'user.update_role', target.id);
    expect(await userRow(target.id)).toEqual(before);
  });

  it('lets a super_admin grant super_admin', async () => {
    const target = await makeUser('admin');
    await run((tx) => changeRole(tx, workContext(superAdmin), { userId: target.id, role: 'super_admin' }));
    expect((await userRow(target.id)).role).toBe('super_admin');
  });

  it('answers not_found for a user that does not exist', async () => {
    const result = await audited(() =>
      run((tx) => changeRole(tx, workContext(admin), { userId: NO_SUCH_ID, role: 'viewer' })),
    );
    expect((result.error as AppError).code).toBe('not_found');
    expect(result.rows).toEqual([]);
  });
});

describe('setDisabled', () => {
  it('disables and re-enables, each with its audit row and a new session version', async () => {
    const target = await makeUser('developer');
    const disabled = await audited(() =>
      run((tx) => setDisabled(tx, workContext(admin), { userId: target.id, disabled: true })),
    );
    expect(disabled.rows.map((row) => [row.action, row.resource_id, row.ip])).toEqual([
      ['user.disable', target.id, TEST_META.ip],
    ]);
    let row = await userRow(target.id);
    expect(row.disabled_at).not.toBeNull();
    expect(row.session_version).toBe(2);

    const enabled = await audited(() =>
      run((tx) => setDisabled(tx, workContext(admin), { userId: target.id, disabled: false })),
    );
    expect(enabled.rows.map((r) => r.action)).toEqual(['user.enable']);
    row = await userRow(target.id);
    expect(row.disabled_at).toBeNull();
    expect(row.session_version).toBe(3);
  });

  it('refuses disabling yourself, and an admin disabling a super_admin', async () => {
    for (const [actor, target] of [
      [admin, admin],
      [superAdmin, superAdmin],
      [admin, superAdmin],
    ] as const) {
      const result = await audited(() =>
        run((tx) => setDisabled(tx, workContext(actor), { userId: target.id, disabled: true })),
      );
      expectDenied(result, actor, 'user.disable', target.id);
      expect((await userRow(target.id)).disabled_at).toBeNull();
    }
  });
});

describe('signOutEverywhere', () => {
  it('bumps session_version for yourself (any role) and for another user as an admin', async () => {
    const viewer = await makeUser('viewer');
    const self = await audited(() => run((tx) => signOutEverywhere(tx, workContext(viewer), viewer.id)));
    expect(self.rows.map((row) => [row.user_id, row.action, row.resource_id])).toEqual([
      [viewer.id, 'user.sign_out_everywhere', viewer.id],
    ]);
    expect((await userRow(viewer.id)).session_version).toBe(2);

    const other = await audited(() => run((tx) => signOutEverywhere(tx, workContext(admin), viewer.id)));
    expect(other.rows.map((row) => [row.user_id, row.action])).toEqual([[admin.id, 'user.sign_out_everywhere']]);
    expect((await userRow(viewer.id)).session_version).toBe(3);
  });

  it('refuses a developer signing out someone else, and an admin signing out a super_admin', async () => {
    const developer = await makeUser('developer');
    const viewer = await makeUser('viewer');
    for (const [actor, target] of [
      [developer, viewer],
      [admin, superAdmin],
    ] as const) {
      const before = (await userRow(target.id)).session_version;
      expectDenied(
        await audited(() => run((tx) => signOutEverywhere(tx, workContext(actor), target.id))),
        actor,
        'user.sign_out_everywhere',
        target.id,
      );
      expect((await userRow(target.id)).session_version).toBe(before);
    }
  });
});

describe('changePassword', () => {
  it('with the current password: stores a new hash, ends the sessions, audits without any secret', async () => {
    const user = await makeUser('developer', { password: PASSWORD });
    const before = await userRow(user.id);
    const result = await audited(() =>
      run((tx) => changePassword(tx, workContext(user), { userId: user.id, current: PASSWORD, next: NEW_PASSWORD })),
    );
    expect(result.error).toBeUndefined();
    const after = await userRow(user.id);
    expect(await verifyPassword(NEW_PASSWORD, after.password_hash)).toBe(true);
    expect(after.session_version).toBe(before.session_version + 1);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({
      user_id: user.id,
      action: 'user.password_change',
      resource_id: user.id,
      ip: TEST_META.ip,
      details: {},
    });
    const written = JSON.stringify(result.rows);
    for (const secret of [PASSWORD, NEW_PASSWORD, before.password_hash, after.password_hash])
      expect(written).not.toContain(secret);
  });

  it('with a wrong current password: changes nothing and records only the failure', async () => {
    const user = await makeUser('developer', { password: PASSWORD });
    const before = await userRow(user.id);
    const result = await audited(() =>
      run((tx) =>
        changePassword(tx, workContext(user), {
          userId: user.id,
          current: 'not the password at all',
          next: NEW_PASSWORD,
        }),
      ),
    );
    expect(result.error).toBeInstanceOf(AppError);
    expect((result.error as AppError).options.field).toBe('current');
    expect(await userRow(user.id)).toEqual(before);
    expect(result.rows.map((row) => [row.action, row.resource_id])).toEqual([['user.password_change_failed', user.id]]);
    expect(JSON.stringify(result.rows)).not.toContain('not the password at all');
  });

  it("refuses changing someone else's password, even as super_admin", async () => {
    const user = await makeUser('developer', { password: PASSWORD });
    const before = await userRow(user.id);
    const result = await audited(() =>
      run((tx) =>
        changePassword(tx, workContext(superAdmin), { userId: user.id, current: PASSWORD, next: NEW_PASSWORD }),
      ),
    );
    expectDenied(result, superAdmin, 'user.password_change', user.id);
    expect(await userRow(user.id)).toEqual(before);
  });
});

describe('updatePreferences', () => {
  const prefs: Preferences = { theme: 'dark', notifications: { email: false, browser: true } };

  it('stores them beside other keys, audits them and leaves the sessions alone', async () => {
    const user = await makeUser('viewer');
    await sql(`UPDATE users SET preferences = '{"dashboard": {"compact": true}, "theme": "light"}' WHERE id = $1`, [
      user.id,
    ]);
    const result = await audited(() =>
      run((tx) => updatePreferences(tx, workContext(user), { userId: user.id, preferences: prefs })),
    );
    const row = await userRow(user.id);
    expect(row.preferences).toEqual({ dashboard: { compact: true }, ...prefs });
    expect(row.session_version).toBe(1);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({
      action: 'user.preferences_update',
      resource_id: user.id,
      details: prefs,
      ip: TEST_META.ip,
    });
  });

  it.each([
    ['an unknown theme', { ...prefs, theme: 'purple' }],
    ['a missing notification flag', { theme: 'dark', notifications: { email: true } }],
    ['a string for a flag', { theme: 'dark', notifications: { email: 'yes', browser: false } }],
    ['an unknown key', { ...prefs, isAdmin: true }],
  ])('refuses %s and stores nothing', async (_, preferences) => {
    const user = await makeUser('viewer');
    const result = await audited(() =>
      run((tx) =>
        updatePreferences(tx, workContext(user), { userId: user.id, preferences: preferences as Preferences }),
      ),
    );
    expect(result.error).toBeInstanceOf(ZodError);
    expect(result.rows).toEqual([]);
    expect((await userRow(user.id)).preferences).toEqual({});
  });

  it("refuses changing someone else's preferences", async () => {
    const user = await makeUser('viewer');
    const result = await audited(() =>
      run((tx) => updatePreferences(tx, workContext(admin), { userId: user.id, preferences: prefs })),
    );
    expectDenied(result, admin, 'user.preferences_update', user.id);
    expect((await userRow(user.id)).preferences).toEqual({});
  });
});

describe('listUsers', () => {
  it('pages by username, filters by text and role, and treats % and _ as text', async () => {
    const prefix = uniqueName('list');
    for (let n = 0; n < USER_PAGE_SIZE + 5; n++)
      await makeUser(n % 5 === 0 ? 'viewer' : 'developer', { username: `${prefix}-${String(n).padStart(3, '0')}` });
    await makeUser('developer', { username: `${prefix}_under` });

    const first = await run((tx) => listUsers(tx, workContext(admin), { q: prefix }));
    expect(first.items).toHaveLength(USER_PAGE_SIZE);
    expect(first.items[0]!.username).toBe(`${prefix}-000`);
    const second = await run((tx) => listUsers(tx, workContext(admin), { q: prefix, after: first.nextCursor! }));
    expect(second.items.map((user) => user.username)).toEqual([
      ...[50, 51, 52, 53, 54].map((n) => `${prefix}-0${n}`),
      `${prefix}_under`,
    ]);
    expect(second.nextCursor).toBeNull();

    const viewers = await run((tx) => listUsers(tx, workContext(admin), { q: prefix.toUpperCase(), role: 'viewer' }));
    expect(viewers.items).toHaveLength(11);
    expect(viewers.items.every((user) => user.role === 'viewer')).toBe(true);
    expect(
      (await run((tx) => listUsers(tx, workContext(admin), { q: `${prefix}_` }))).items.map((u) => u.username),
    ).toEqual([`${prefix}_under`]);
    expect((await run((tx) => listUsers(tx, workContext(admin), { q: '%' }))).items).toEqual([]);
  });

  it('refuses developers and viewers with an authz.denied row', async () => {
    for (const role of ['developer', 'viewer'] as const) {
      const actor = await makeUser(role);
      expectDenied(await audited(() => run((tx) => listUsers(tx, workContext(actor)))), actor, 'user.list', null);
    }
  });
});
