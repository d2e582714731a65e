import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { can } from '@/lib/auth/permissions';
import { asSystem, asUser } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { CIPHERTEXT, NO_SUCH_ID } from '@/lib/testing/fixtures';

import { getProjectForUser, listWritableTeams, projectResource } from './queries';

// alice owns a personal project (with applications, a database and domains) and a project shared with her team, where
// tina is a viewer. bob owns nothing of theirs and belongs to no team.
let test: TestDatabase;
const ids = {
  alice: '',
  bob: '',
  tina: '',
  team: '',
  personal: '',
  shared: '',
  bobs: '',
  api: '',
  web: '',
  db: '',
  legacy: '',
  viewed: '',
};

async function seed() {
  await asSystem(test.db.prisma, async (tx) => {
    const user = (username: string) =>
      tx.user.create({
        data: { username, email: `${username}@example.com`, authProvider: 'github' },
        select: { id: true },
      });
    ids.alice = (await user('alice')).id;
    ids.bob = (await user('bob')).id;
    ids.tina = (await user('tina')).id;
    ids.team = (
      await tx.team.create({
        data: {
          name: 'Platform',
          members: {
            create: [
              { userId: ids.alice, role: 'owner' },
              { userId: ids.tina, role: 'viewer' },
            ],
          },
        },
      })
    ).id;
    const personal = await tx.project.create({
      data: {
        name: 'billing',
        description: 'Invoices',
        ownerId: ids.alice,
        metadata: { tags: ['critical', 7, 'pci'], env: 'prod' },
      },
    });
    ids.personal = personal.id;
    ids.shared = (await tx.project.create({ data: { name: 'shared', ownerId: ids.alice, teamId: ids.team } })).id;
    ids.bobs = (await tx.project.create({ data: { name: 'bobs-app', ownerId: ids.bob } })).id;

    const app = (name: string, status: string, deletedAt?: Date) =>
      tx.application.create({
        data: { projectId: personal.id, name, type: 'docker', sourceType: 'docker', status, replicas: 2, deletedAt },
      });
    ids.web = (await app('web', 'running')).id;
    ids.api = (await app('api', 'failed')).id;
    ids.legacy = (await app('legacy', 'archived', new Date())).id;
    ids.db = (
      await tx.database.create({
        data: {
          projectId: personal.id,
          name: 'main',
          type: 'postgresql',
          status: 'running',
          version: '16',
          connectionString: CIPHERTEXT,
        },
      })
    ).id;
    await tx.domain.createMany({
      data: [
        { projectId: personal.id, domain: 'billing.example.com', targetType: 'application', targetId: ids.web },
        {
          projectId: personal.id,
          domain: 'db.billing.example.com',
          targetType: 'database',
          targetId: ids.db,
          tlsEnabled: false,
        },
      ],
    });
    await tx.volume.create({ data: { name: 'billing-data', mountPath: '/data', sizeGb: 1, applicationId: ids.web } });
    await tx.volume.create({ data: { name: 'billing-spare', mountPath: '/spare', sizeGb: 1, projectId: personal.id } });
    ids.viewed = (
      await tx.team.create({ data: { name: 'Viewed', members: { create: [{ userId: ids.alice, role: 'viewer' }] } } })
    ).id;
  });
}

const read = (userId: string, projectId: string) =>
  asUser(test.db.prisma, userId, (tx) => getProjectForUser(tx, projectId, userId));

beforeAll(async () => {
  test = await createTestDatabase();
  await seed();
});

afterAll(async () => {
  await test?.drop();
});

describe('getProjectForUser', () => {
  it("returns the owner's project with its live applications, databases and domains", async () => {
    const project = await read(ids.alice, ids.personal);
    expect(project).toMatchObject({
      id: ids.personal,
      name: 'billing',
      description: 'Invoices',
      tags: ['critical', 'pci'],
      owner: { id: ids.alice, username: 'alice' },
      team: null,
      teamRole: null,
    });
    expect(project!.applications.map((a) => [a.name, a.status, a.replicas])).toEqual([
      ['api', 'failed', 2],
      ['web', 'running', 2],
    ]);
    expect(project!.databases).toEqual([
      { id: ids.db, name: 'main', type: 'postgresql', status: 'running', version: '16' },
    ]);
    expect(project!.domains.map((d) => [d.domain, d.targetName, d.tlsEnabled])).toEqual([
      ['billing.example.com', 'web', true],
      ['db.billing.example.com', 'main', false],
    ]);
    expect(can({ id: ids.alice, role: 'developer' }, 'project.delete', projectResource(project!))).toBe(true);
  });

  it('lists archived applications apart, and counts volumes attached or not', async () => {
    const project = await read(ids.alice, ids.personal);
    expect(project!.archivedApplications).toEqual([{ id: ids.legacy, name: 'legacy', deletedAt: expect.any(Date) }]);
    expect(project!.volumeCount).toBe(2);
    expect((await read(ids.alice, ids.shared))!.volumeCount).toBe(0);
  });

  it('never carries a secret', async () => {
    const project = await read(ids.alice, ids.personal);
    expect(JSON.stringify(project)).not.toContain(CIPHERTEXT);
    expect(project!.databases[0]).not.toHaveProperty('connectionString');
  });

  it("shows a team project to a team viewer, with their team role (read, not write), and not the owner's others", async () => {
    const project = await read(ids.tina, ids.shared);
    expect(project).toMatchObject({ name: 'shared', team: { id: ids.team, name: 'Platform' }, teamRole: 'viewer' });
    const tina = { id: ids.tina, role: 'developer' as const };
    expect(can(tina, 'project.read', projectResource(project!))).toBe(true);
    expect(can(tina, 'project.update', projectResource(project!))).toBe(false);
    expect(await read(ids.tina, ids.personal)).toBeNull();
  });

  it("returns null for another user's project, a missing one and an id that is not a uuid", async () => {
    expect(await read(ids.bob, ids.personal)).toBeNull();
    expect(await read(ids.bob, ids.shared)).toBeNull();
    expect(await read(ids.alice, ids.bobs)).toBeNull();
    expect(await read(ids.alice, NO_SUCH_ID)).toBeNull();
    for (const bad of ['', 'billing', `${ids.personal}x`, "' OR 1=1 --"]) expect(await read(ids.alice, bad)).toBeNull();
  });
});

describe('row-level security hides the project when the application-level check is removed', () => {
  // The same read as getProjectForUser without its OR filter: only PostgreSQL stands between bob and alice's project.
  const unfiltered = (userId: string, projectId: string) =>
    asUser(test.db.prisma, userId, (tx) =>
      tx.project.findUnique({ where: { id: projectId }, select: { id: true, name: true } }),
    );

  it('finds nothing for bob, and the project for its owner and her team (the query itself works)', async () => {
    expect(await unfiltered(ids.bob, ids.personal)).toBeNull();
    expect(await unfiltered(ids.bob, ids.shared)).toBeNull();
    expect(await unfiltered(ids.alice, ids.personal)).toEqual({ id: ids.personal, name: 'billing' });
    expect(await unfiltered(ids.tina, ids.shared)).toEqual({ id: ids.shared, name: 'shared' });
    const listed = await asUser(test.db.prisma, ids.bob, (tx) => tx.project.findMany({ select: { id: true } }));
    expect(listed).toEqual([{ id: ids.bobs }]);
  });

  it("lets bob delete or change none of alice's projects with raw SQL", async () => {
    const deleted = await asUser(
      test.db.prisma,
      ids.bob,
      (tx) => tx.$executeRaw`DELETE FROM projects WHERE id = ${ids.personal}::uuid`,
    );
    expect(deleted).toBe(0);
    const renamed = await asUser(
      test.db.prisma,
      ids.bob,
      (tx) => tx.$executeRaw`UPDATE projects SET name = 'mine-now' WHERE id = ${ids.personal}::uuid`,
    );
    expect(renamed).toBe(0);
    const still = await asSystem(test.db.prisma, (tx) =>
      tx.project.findUnique({ where: { id: ids.personal }, select: { name: true } }),
    );
    expect(still).toEqual({ name: 'billing' });
  });
});

describe('listWritableTeams', () => {
  it('lists the teams where the user may put projects (not those they only view)', async () => {
    const teams = await asUser(test.db.prisma, ids.alice, (tx) => listWritableTeams(tx, ids.alice));
    expect(teams).toEqual([{ id: ids.team, name: 'Platform', role: 'owner' }]);
    expect(await asUser(test.db.prisma, ids.tina, (tx) => listWritableTeams(tx, ids.tina))).toEqual([]);
    expect(await asUser(test.db.prisma, ids.bob, (tx) => listWritableTeams(tx, 'not-a-uuid'))).toEqual([]);
  });
});

describe('the applications of a project come a page at a time', () => {
  it('pages by name with a keyset cursor, counts them all, and still names a domain target on a later page', async () => {
    const page = (after?: { name: string; id: string }) =>
      asUser(test.db.prisma, ids.alice, (tx) =>
        getProjectForUser(tx, ids.personal, ids.alice, { applicationsLimit: 1, applicationsAfter: after }),
      );
    const first = (await page())!;
    expect(first.applications.map((app) => app.name)).toEqual(['api']);
    expect(first.applicationCount).toBe(2);
    expect(first.nextApplications).toEqual({ name: 'api', id: ids.api });
    // billing.example.com points at web, which is not on this page: its name is still shown.
    expect(first.domains.find((domain) => domain.domain === 'billing.example.com')?.targetName).toBe('web');

    const second = (await page(first.nextApplications!))!;
    expect(second.applications.map((app) => app.name)).toEqual(['web']);
    expect(second.nextApplications).toBeNull();
  });
});
