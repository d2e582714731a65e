import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { asSystem, asUser, type Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { actAs, newUser, refusal, TEST_META, uniqueName, type TestUser as User } from '@/lib/testing/fixtures';

import {
  addMember,
  changeMemberRole,
  createTeam,
  deleteTeam,
  LAST_OWNER_MESSAGE,
  leaveTeam,
  removeMember,
  TEAM_NAME_TAKEN_MESSAGE,
  teamErrorFrom,
  updateTeam,
} from './mutations';
import { getTeamForUser, listMyTeams } from './queries';

let test: TestDatabase;

const prisma = () => test.db.prisma;
/** How the teams actions run team work: as the user, the database's refusals turned into messages. */
const as = <T>(user: User, work: (tx: Tx, context: WorkContext) => Promise<T>) =>
  actAs(test, user, work, teamErrorFrom);

/** A team created by `owner` through createTeam, with more members added directly. */
async function newTeam(owner: User, members: [User, string][] = []) {
  const team = await as(owner, (tx, c) => createTeam(tx, c, { name: uniqueName('Team') }));
  if (members.length) {
    await asSystem(prisma(), (tx) =>
      tx.teamMember.createMany({ data: members.map(([u, role]) => ({ teamId: team.id, userId: u.id, role })) }),
    );
  }
  return team;
}

const roles = (teamId: string) =>
  asSystem(prisma(), async (tx) =>
    Object.fromEntries(
      (await tx.teamMember.findMany({ where: { teamId }, select: { userId: true, role: true } })).map((m) => [
        m.userId,
        m.role,
      ]),
    ),
  );
const audits = (teamId: string | null, action?: string) =>
  asSystem(prisma(), (tx) => tx.auditLog.findMany({ where: { resourceId: teamId, action }, orderBy: { id: 'asc' } }));

beforeAll(async () => {
  test = await createTestDatabase();
});

afterAll(async () => {
  await test?.drop();
});

describe('creating and reading teams', () => {
  it('creates the team and its owner membership in one transaction, audited with IP and user agent', async () => {
    const alice = await newUser(test);
    const team = await as(alice, (tx, c) => createTeam(tx, c, { name: '  Platform crew ', description: 'Ops' }));
    expect(team.name).toBe('Platform crew');
    expect(await roles(team.id)).toEqual({ [alice.id]: 'owner' });
    const [row] = await audits(team.id);
    expect(row).toMatchObject({
      action: 'team.create',
      userId: alice.id,
      resourceType: 'team',
      details: { name: 'Platform crew' },
      ipAddress: TEST_META.ip,
      userAgent: TEST_META.userAgent,
    });
    const mine = await asUser(prisma(), alice.id, (tx) => listMyTeams(tx, alice.id));
    expect(mine).toEqual([
      expect.objectContaining({ id: team.id, role: 'owner', memberCount: 1, projectCount: 0, description: 'Ops' }),
    ]);
  });

  it('refuses a taken name (exact) with a message for the name field, and an invalid one', async () => {
    const alice = await newUser(test);
    const { name } = await newTeam(alice);
    const error = await refusal(as(alice, (tx, c) => createTeam(tx, c, { name })));
    expect(error).toMatchObject({ code: 'conflict', message: TEAM_NAME_TAKEN_MESSAGE, options: { field: 'name' } });
    expect(await asSystem(prisma(), (tx) => tx.team.count({ where: { name } }))).toBe(1);
    await expect(as(alice, (tx, c) => createTeam(tx, c, { name: 'ab' }))).rejects.toBeInstanceOf(ZodError);
  });

  it('refuses a platform viewer and records the refusal', async () => {
    const viewer = await newUser(test, 'viewer');
    const error = await refusal(as(viewer, (tx, c) => createTeam(tx, c, { name: uniqueName('Team') })));
    expect(error.code).toBe('forbidden');
    const denied = await asSystem(prisma(), (tx) => tx.auditLog.findMany({ where: { userId: viewer.id } }));
    expect(denied).toEqual([
      expect.objectContaining({ action: 'authz.denied', details: expect.objectContaining({ action: 'team.create' }) }),
    ]);
  });

  it('shows a team to its members only (members by role), and null for a bad id', async () => {
    const [alice, bob, eve] = [await newUser(test), await newUser(test), await newUser(test)];
    const team = await newTeam(alice, [[bob, 'viewer']]);
    const seen = await asUser(prisma(), bob.id, (tx) => getTeamForUser(tx, team.id, bob.id));
    expect(seen).toMatchObject({
      myRole: 'viewer',
      members: [
        { userId: alice.id, role: 'owner' },
        { userId: bob.id, role: 'viewer' },
      ],
    });
    expect(await asUser(prisma(), eve.id, (tx) => getTeamForUser(tx, team.id, eve.id))).toBeNull();
    expect(await asUser(prisma(), eve.id, (tx) => getTeamForUser(tx, 'not-a-uuid', eve.id))).toBeNull();
  });
});

describe('members', () => {
  it('adds a member by username, refusing unknown names and duplicates', async () => {
    const [alice, bob] = [await newUser(test), await newUser(test)];
    const team = await newTeam(alice);
    await as(alice, (tx, c) =>
      addMember(tx, c, { teamId: team.id, username: bob.username.toUpperCase(), role: 'member' }),
    );
    expect(await roles(team.id)).toEqual({ [alice.id]: 'owner', [bob.id]: 'member' });
    expect((await audits(team.id, 'team.member_add'))[0]?.details).toEqual({ username: bob.username, role: 'member' });
    const unknown = await refusal(
      as(alice, (tx, c) => addMember(tx, c, { teamId: team.id, username: 'nobody-here', role: 'member' })),
    );
    expect(unknown).toMatchObject({ code: 'not_found', options: { field: 'username' } });
    const twice = await refusal(
      as(alice, (tx, c) => addMember(tx, c, { teamId: team.id, username: bob.username, role: 'admin' })),
    );
    expect(twice).toMatchObject({ code: 'conflict', options: { field: 'username' } });
  });

  it('hands ownership over, then the old owner steps down; each change audited with from and to', async () => {
    const [alice, bob] = [await newUser(test), await newUser(test)];
    const team = await newTeam(alice, [[bob, 'member']]);
    expect(
      await as(alice, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: bob.id, role: 'owner' })),
    ).toBe(true);
    expect(
      await as(alice, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: alice.id, role: 'admin' })),
    ).toBe(true);
    expect(await roles(team.id)).toEqual({ [alice.id]: 'admin', [bob.id]: 'owner' });
    const changes = await audits(team.id, 'team.member_role_change');
    expect(changes.map((row) => row.details)).toEqual([
      { username: bob.username, from: 'member', to: 'owner' },
      { username: alice.username, from: 'owner', to: 'admin' },
    ]);
    expect(
      await as(bob, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: alice.id, role: 'admin' })),
    ).toBe(false);
  });

  it('refuses the last owner leaving, being removed or being demoted, and changes nothing', async () => {
    const [alice, bob] = [await newUser(test), await newUser(test)];
    const team = await newTeam(alice, [[bob, 'admin']]);
    const attempts = [
      () => as(alice, (tx, c) => leaveTeam(tx, c, { teamId: team.id })),
      () => as(alice, (tx, c) => removeMember(tx, c, { teamId: team.id, userId: alice.id })),
      () => as(alice, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: alice.id, role: 'member' })),
    ];
    for (const attempt of attempts) {
      expect(await refusal(attempt())).toMatchObject({ code: 'conflict', message: LAST_OWNER_MESSAGE });
    }
    expect(await roles(team.id)).toEqual({ [alice.id]: 'owner', [bob.id]: 'admin' });
    expect(await audits(team.id)).toHaveLength(1); // team.create only
  });

  it('keeps the owner role in owners’ hands: a team admin cannot grant, demote or remove an owner', async () => {
    const [alice, bob, carol] = [await newUser(test), await newUser(test), await newUser(test)];
    const team = await newTeam(alice, [
      [bob, 'admin'],
      [carol, 'member'],
    ]);
    const attempts = [
      () => as(bob, (tx, c) => addMember(tx, c, { teamId: team.id, username: carol.username, role: 'owner' })),
      () => as(bob, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: carol.id, role: 'owner' })),
      () => as(bob, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: bob.id, role: 'owner' })),
      () => as(bob, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: alice.id, role: 'admin' })),
      () => as(bob, (tx, c) => removeMember(tx, c, { teamId: team.id, userId: alice.id })),
    ];
    for (const attempt of attempts) {
      expect(await refusal(attempt())).toMatchObject({
        code: 'forbidden',
        message: 'Only a team owner can give, change or remove the owner role.',
      });
    }
    expect(await roles(team.id)).toEqual({ [alice.id]: 'owner', [bob.id]: 'admin', [carol.id]: 'member' });
    const denied = await audits(team.id, 'authz.denied');
    expect(denied).toHaveLength(5);
    expect(denied.every((row) => row.userId === bob.id && row.ipAddress === TEST_META.ip)).toBe(true);
    expect(denied[3]?.details).toEqual({
      action: 'team.manage_members',
      username: alice.username,
      from: 'owner',
      to: 'admin',
    });

    // What a team admin may do: manage the non-owners.
    await as(bob, (tx, c) => changeMemberRole(tx, c, { teamId: team.id, userId: carol.id, role: 'viewer' }));
    await as(bob, (tx, c) => removeMember(tx, c, { teamId: team.id, userId: carol.id }));
    expect((await audits(team.id, 'team.member_remove'))[0]?.details).toEqual({
      username: carol.username,
      role: 'viewer',
    });
  });

  it('refuses members, viewers and platform viewers managing members; anyone may leave', async () => {
    const [alice, member, viewer, platformViewer, outsider] = [
      await newUser(test),
      await newUser(test),
      await newUser(test),
      await newUser(test, 'viewer'),
      await newUser(test),
    ];
    const team = await newTeam(alice, [
      [member, 'member'],
      [viewer, 'viewer'],
      [platformViewer, 'owner'],
    ]);
    for (const actor of [member, viewer, platformViewer]) {
      const error = await refusal(
        as(actor, (tx, c) => addMember(tx, c, { teamId: team.id, username: outsider.username, role: 'viewer' })),
      );
      expect(error.code).toBe('forbidden');
    }
    const stranger = await refusal(as(outsider, (tx, c) => updateTeam(tx, c, { teamId: team.id, name: 'Mine now' })));
    expect(stranger).toMatchObject({
      code: 'not_found',
      message: 'This team does not exist, or you are not a member of it.',
    });
    expect(await audits(team.id, 'authz.denied')).toHaveLength(4);

    await as(viewer, (tx, c) => leaveTeam(tx, c, { teamId: team.id }));
    await as(platformViewer, (tx, c) => leaveTeam(tx, c, { teamId: team.id })); // alice is still an owner
    expect(await roles(team.id)).toEqual({ [alice.id]: 'owner', [member.id]: 'member' });
    expect((await audits(team.id, 'team.leave')).map((row) => row.details)).toEqual([
      { role: 'viewer' },
      { role: 'owner' },
    ]);
  });
});

describe('changing and deleting a team', () => {
  it('lets a team admin rename it (audited with the old name) but not delete it', async () => {
    const [alice, bob] = [await newUser(test), await newUser(test)];
    const team = await newTeam(alice, [[bob, 'admin']]);
    const taken = (await newTeam(alice)).name;
    const name = uniqueName('Renamed');
    await as(bob, (tx, c) => updateTeam(tx, c, { teamId: team.id, name, description: 'New' }));
    expect((await audits(team.id, 'team.update'))[0]?.details).toEqual({
      name,
      previousName: team.name,
      descriptionChanged: true,
    });
    const clash = await refusal(as(bob, (tx, c) => updateTeam(tx, c, { teamId: team.id, name: taken })));
    expect(clash).toMatchObject({ code: 'conflict', message: TEAM_NAME_TAKEN_MESSAGE });
    expect((await refusal(as(bob, (tx, c) => deleteTeam(tx, c, { teamId: team.id })))).code).toBe('forbidden');
  });

  it('lets an owner delete it: members go, projects stay with their owners, unshared', async () => {
    const [alice, bob] = [await newUser(test), await newUser(test)];
    const team = await newTeam(alice, [[bob, 'member']]);
    const project = await asSystem(prisma(), (tx) =>
      tx.project.create({ data: { name: uniqueName('proj'), ownerId: bob.id, teamId: team.id } }),
    );
    expect(await as(alice, (tx, c) => deleteTeam(tx, c, { teamId: team.id }))).toEqual({
      name: team.name,
      projectsUnshared: 1,
    });
    expect(await roles(team.id)).toEqual({});
    const kept = await asSystem(prisma(), (tx) => tx.project.findUnique({ where: { id: project.id } }));
    expect(kept).toMatchObject({ ownerId: bob.id, teamId: null });
    expect((await audits(team.id, 'team.delete'))[0]?.details).toEqual({ name: team.name, projectsUnshared: 1 });
  });
});

describe('the database keeps an owner when the application check is missing', () => {
  const demoteDirectly = (tx: Tx, teamId: string, userId: string) =>
    tx.teamMember.update({ where: { userId_teamId: { userId, teamId } }, data: { role: 'admin' } });

  it('refuses inside the team work with the same message, without leaking a pooled connection', async () => {
    const alice = await newUser(test);
    const team = await newTeam(alice);
    // More attempts than the pool has connections (4): a leaked connection per refusal would hang the next query.
    for (let attempt = 0; attempt < 6; attempt++) {
      const error = await refusal(as(alice, (tx) => demoteDirectly(tx, team.id, alice.id)));
      expect(error).toMatchObject({ code: 'conflict', message: LAST_OWNER_MESSAGE });
    }
    expect(await roles(team.id)).toEqual({ [alice.id]: 'owner' });
  });

  it('maps the refusal PostgreSQL raises at COMMIT (outside runAsUser)', async () => {
    const alice = await newUser(test);
    const team = await newTeam(alice);
    const pool = new pg.Pool({ connectionString: test.url, max: 1 });
    const acquired: pg.PoolClient[] = [];
    pool.on('acquire', (client) => acquired.push(client));
    const client = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      const error = await asUser(client, alice.id, (tx) => demoteDirectly(tx, team.id, alice.id)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).not.toBeNull();
      expect(teamErrorFrom(error)).toMatchObject({ code: 'conflict', message: LAST_OWNER_MESSAGE });
    } finally {
      // Prisma 6.19 does not release a connection whose COMMIT failed (why settle() checks before COMMIT).
      if (pool.idleCount < pool.totalCount) acquired.at(-1)?.release(true);
      await client.$disconnect();
      await pool.end();
    }
    expect(await roles(team.id)).toEqual({ [alice.id]: 'owner' });
  });
});
