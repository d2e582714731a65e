// The constraints of the data model on users, teams, team members and projects, enforced by PostgreSQL itself:
// each case writes one row as the panel's role and expects it accepted, or refused with the SQLSTATE and constraint.
// Applications and what hangs off them: constraints-applications.int.test.ts; the rest: constraints-resources.
import { beforeAll, describe, expect, it } from 'vitest';

import {
  check,
  expectInsert,
  foreignKey,
  itInserts,
  notNull,
  OK,
  unique,
  valuesOf,
  type Case,
  type Outcome,
} from '@/lib/testing/constraint-cases';
import {
  addMember,
  BCRYPT_HASH,
  count,
  insertProject,
  insertTeam,
  insertUser,
  NO_SUCH_ID,
  setUpTestDatabase,
  sqlError,
  systemTx,
  uniqueName,
  validUser,
  type Row,
} from '@/lib/testing/fixtures';

const t = setUpTestDatabase();
const pool = () => t().db.pool;

describe('users', () => {
  const cases: Case[] = [
    ['username of letters, digits, _ and -', { username: uniqueName('john_doe') }, OK],
    ['username of 3 characters', { username: 'abc' }, OK],
    ['username of 50 characters', { username: 'a'.repeat(50) }, OK],
    ['username with an uppercase letter', { username: 'John' }, check('check_username_format')],
    ['username of 2 characters', { username: 'ab' }, check('check_username_format')],
    ['username of 51 characters', { username: 'b'.repeat(51) }, check('check_username_format')],
    ['username with a space', { username: 'john doe' }, check('check_username_format')],
    ['username with a dot', { username: 'john.doe' }, check('check_username_format')],
    ['email with a subdomain and a tag', { email: 'first.last+tag@mail.example.co.uk' }, OK],
    ['email without @', { email: 'john.example.com' }, check('check_email_format')],
    ['email without a dot in the domain', { email: 'john@localhost' }, check('check_email_format')],
    ['email with two @', { email: 'john@@example.com' }, check('check_email_format')],
    ['email with a space', { email: 'john doe@example.com' }, check('check_email_format')],
    ...valuesOf('role', ['super_admin', 'admin', 'developer', 'viewer'], OK),
    ['role root', { role: 'root' }, check('check_user_role')],
    ['role Admin (case matters)', { role: 'Admin' }, check('check_user_role')],
    ['auth_provider saml', { auth_provider: 'saml' }, check('check_auth_provider')],
    ['bcrypt hash $2a$ cost 12', { password_hash: BCRYPT_HASH.replace('$2b$', '$2a$') }, OK],
    ['bcrypt hash $2y$ cost 14', { password_hash: BCRYPT_HASH.replace('$2b$12$', '$2y$14$') }, OK],
    // The hash format is lib/auth's to check, not the database's (docs/decisions.md, D9); only its presence is.
    ['password user without a hash', { password_hash: null }, check('check_password_required')],
    ['github user without a hash', { auth_provider: 'github', password_hash: null }, OK],
    ['github user with a hash', { auth_provider: 'github' }, OK],
    ['preferences that are not an object', { preferences: '[]' }, check('check_preferences_object')],
    ['no email', { email: null }, notNull],
    ['no username', { username: null }, notNull],
  ];

  itInserts(pool, 'users', validUser, cases);

  it('refuses a second user with the same username', async () => {
    const first = await insertUser(pool());
    await expectInsert(pool(), 'users', validUser({ username: first.username }), unique('users_username_key'));
  });

  it('refuses a second user with the same email', async () => {
    const first = await insertUser(pool());
    await expectInsert(pool(), 'users', validUser({ email: first.email }), unique('users_email_key'));
  });

  it('refuses the same email spelt with other capitals', async () => {
    const first = await insertUser(pool());
    const shouted = String(first.email).toUpperCase();
    await expectInsert(pool(), 'users', validUser({ email: shouted }), unique('users_email_lower_key'));
  });

  it('refuses an update that clears the hash of a password user', async () => {
    const user = await insertUser(pool());
    const error = await sqlError(pool().query('UPDATE users SET password_hash = NULL WHERE id = $1', [user.id]));
    expect(error).toMatchObject({ code: '23514', constraint: 'check_password_required' });
  });

  it('refuses switching a user without a hash to password sign-in', async () => {
    const user = await insertUser(pool(), { auth_provider: 'github', password_hash: null });
    const switchToPassword = pool().query("UPDATE users SET auth_provider = 'password' WHERE id = $1", [user.id]);
    const error = await sqlError(switchToPassword);
    expect(error).toMatchObject({ code: '23514', constraint: 'check_password_required' });
  });
});

describe('teams', () => {
  const cases: Case[] = [
    ['name of 3 characters', { name: 'abc' }, OK],
    ['name of 100 characters', { name: 'x'.repeat(100) }, OK],
    ['name of 2 characters', { name: 'ab' }, check('check_team_name_length')],
    ['name of 101 characters', { name: 'y'.repeat(101) }, check('check_team_name_length')],
    ['settings that are not an object', { name: 'tea', settings: '"dark"' }, check('check_team_settings_object')],
    ['no name', { name: null }, notNull],
  ];

  itInserts(pool, 'teams', (overrides) => overrides, cases);

  it('refuses a second team of the same name', async () => {
    const team = await insertTeam(pool());
    await expectInsert(pool(), 'teams', { name: team.name }, unique('teams_name_key'));
  });
});

describe('team_members', () => {
  let teamId: string;
  beforeAll(async () => {
    teamId = (await insertTeam(pool())).id;
  });

  it.each<[string, Outcome]>([
    ['owner', OK],
    ['admin', OK],
    ['member', OK],
    ['viewer', OK],
    ['guest', check('check_team_member_role')],
    ['Owner', check('check_team_member_role')],
  ])('role %s', async (role, outcome) => {
    const user = await insertUser(pool());
    await expectInsert(pool(), 'team_members', { team_id: teamId, user_id: user.id, role }, outcome);
  });

  it('refuses a user joining the same team twice', async () => {
    const user = await insertUser(pool());
    await addMember(pool(), teamId, user.id);
    const again = { team_id: teamId, user_id: user.id, role: 'viewer' };
    await expectInsert(pool(), 'team_members', again, unique('team_members_user_id_team_id_key'));
  });

  it('refuses a membership of a team that does not exist', async () => {
    const user = await insertUser(pool());
    const row = { team_id: NO_SUCH_ID, user_id: user.id };
    await expectInsert(pool(), 'team_members', row, foreignKey('team_members_team_id_fkey'));
  });
});

describe('a team keeps at least one owner', () => {
  async function teamWith(...roles: string[]) {
    const team = await insertTeam(pool());
    const members = [];
    for (const role of roles) {
      const user = await insertUser(pool());
      members.push({ userId: user.id, memberId: (await addMember(pool(), team.id, user.id, role)).id });
    }
    return { teamId: team.id, members };
  }
  const OWNERS = "SELECT user_id FROM team_members WHERE team_id = $1 AND role = 'owner'";
  const owners = (teamId: string) => count(pool(), OWNERS, [teamId]);
  const refusal = { code: '23514', constraint: 'team_keeps_owner' };

  it('refuses removing the only owner, and keeps the row', async () => {
    const { teamId, members } = await teamWith('owner', 'member');
    const error = await sqlError(pool().query('DELETE FROM team_members WHERE id = $1', [members[0]!.memberId]));
    expect(error).toMatchObject(refusal);
    expect(await owners(teamId)).toBe(1);
  });

  it('refuses demoting the only owner', async () => {
    const { teamId, members } = await teamWith('owner');
    const demote = pool().query("UPDATE team_members SET role = 'admin' WHERE id = $1", [members[0]!.memberId]);
    const error = await sqlError(demote);
    expect(error).toMatchObject(refusal);
    expect(await owners(teamId)).toBe(1);
  });

  it('checks at COMMIT, not at the statement', async () => {
    const { members } = await teamWith('owner');
    const error = await sqlError(
      systemTx(pool(), async (client) => {
        const deleted = await client.query('DELETE FROM team_members WHERE id = $1', [members[0]!.memberId]);
        expect(deleted.rowCount).toBe(1); // the statement itself goes through
      }),
    );
    expect(error).toMatchObject(refusal);
  });

  it('allows removing one of two owners', async () => {
    const { teamId, members } = await teamWith('owner', 'owner');
    await pool().query('DELETE FROM team_members WHERE id = $1', [members[0]!.memberId]);
    expect(await owners(teamId)).toBe(1);
  });

  it('allows a hand-over that adds the new owner first', async () => {
    const { teamId, members } = await teamWith('owner');
    const heir = await insertUser(pool());
    await systemTx(pool(), async (client) => {
      await addMember(client, teamId, heir.id, 'owner');
      await client.query("UPDATE team_members SET role = 'admin' WHERE id = $1", [members[0]!.memberId]);
    });
    const { rows } = await pool().query(OWNERS, [teamId]);
    expect(rows).toEqual([{ user_id: heir.id }]);
  });

  it('allows a hand-over that demotes the old owner first', async () => {
    const { teamId, members } = await teamWith('owner', 'member');
    await systemTx(pool(), async (client) => {
      await client.query("UPDATE team_members SET role = 'member' WHERE id = $1", [members[0]!.memberId]);
      await client.query("UPDATE team_members SET role = 'owner' WHERE id = $1", [members[1]!.memberId]);
    });
    const { rows } = await pool().query(OWNERS, [teamId]);
    expect(rows).toEqual([{ user_id: members[1]!.userId }]);
  });

  it('allows removing a member who is not an owner', async () => {
    const { teamId, members } = await teamWith('owner', 'member');
    await pool().query('DELETE FROM team_members WHERE id = $1', [members[1]!.memberId]);
    expect(await count(pool(), 'SELECT 1 FROM team_members WHERE team_id = $1', [teamId])).toBe(1);
  });

  it('allows deleting the team itself, with its owner', async () => {
    const { teamId } = await teamWith('owner', 'member');
    await pool().query('DELETE FROM teams WHERE id = $1', [teamId]);
    expect(await count(pool(), 'SELECT 1 FROM team_members WHERE team_id = $1', [teamId])).toBe(0);
  });

  // Deleting the account is not blocked by the database; the panel's user-deletion flow asks for a hand-over first
  // (docs/decisions.md, D11).
  it("allows deleting the account of a team's last owner, and its memberships go with it", async () => {
    const { teamId, members } = await teamWith('owner', 'member');
    const deleted = await pool().query('DELETE FROM users WHERE id = $1', [members[0]!.userId]);
    expect(deleted.rowCount).toBe(1);
    expect(await count(pool(), 'SELECT 1 FROM users WHERE id = $1', [members[0]!.userId])).toBe(0);
    expect(await count(pool(), 'SELECT 1 FROM team_members WHERE id = $1', [members[0]!.memberId])).toBe(0);
    const { rows } = await pool().query('SELECT user_id, role FROM team_members WHERE team_id = $1', [teamId]);
    expect(rows).toEqual([{ user_id: members[1]!.userId, role: 'member' }]);
  });

  it("still refuses, after the last owner's account is deleted, removing an owner of another team", async () => {
    // The exemption is for the deleted account's own memberships, not for anything else in the transaction.
    const gone = await teamWith('owner');
    const other = await teamWith('owner', 'member');
    const error = await sqlError(
      systemTx(pool(), async (client) => {
        await client.query('DELETE FROM users WHERE id = $1', [gone.members[0]!.userId]);
        await client.query('DELETE FROM team_members WHERE id = $1', [other.members[0]!.memberId]);
      }),
    );
    expect(error).toMatchObject(refusal);
    expect(await count(pool(), 'SELECT 1 FROM users WHERE id = $1', [gone.members[0]!.userId])).toBe(1);
    expect(await owners(other.teamId)).toBe(1);
  });
});

describe('projects', () => {
  let ownerId: string;
  beforeAll(async () => {
    ownerId = (await insertUser(pool())).id;
  });
  const insertAsSystem = (row: Row, outcome: Outcome) =>
    systemTx(pool(), (client) => expectInsert(client, 'projects', { owner_id: ownerId, ...row }, outcome));

  const cases: Case[] = [
    ['name of 3 characters', { name: 'abc' }, OK],
    ['name of 100 characters', { name: 'p'.repeat(100) }, OK],
    ['name of 2 characters', { name: 'ab' }, check('check_project_name_length')],
    ['name of 101 characters', { name: 'q'.repeat(101) }, check('check_project_name_length')],
    ['metadata that is not an object', { name: 'pmeta', metadata: '["tag"]' }, check('check_project_metadata_object')],
    ['an owner that does not exist', { name: 'powner', owner_id: NO_SUCH_ID }, foreignKey('projects_owner_id_fkey')],
    ['a team that does not exist', { name: 'pteam', team_id: NO_SUCH_ID }, foreignKey('projects_team_id_fkey')],
    ['no owner', { name: 'pnone', owner_id: null }, notNull],
  ];

  it.each(cases)('%s', async (_label, overrides, outcome) => {
    await insertAsSystem(overrides, outcome);
  });

  it('refuses a second project of the same name for the same owner', async () => {
    const name = uniqueName('proj');
    await insertProject(pool(), ownerId, { name });
    await insertAsSystem({ name }, unique('projects_owner_id_name_key'));
  });

  it('accepts the same name for another owner', async () => {
    const name = uniqueName('proj');
    await insertProject(pool(), ownerId, { name });
    const other = await insertUser(pool());
    await insertAsSystem({ name, owner_id: other.id }, OK);
  });
});
