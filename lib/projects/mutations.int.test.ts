import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { asSystem, type Tx } from '@/lib/db/context';
import {
  actAs,
  newTeam,
  newUser,
  NO_SUCH_ID,
  refusal,
  setUpTestDatabase,
  TEST_META,
  uniqueName,
  type TestUser as User,
} from '@/lib/testing/fixtures';

import { deletePreview } from './delete-preview';
import { createProject, deleteProject, moveProjectToTeam, updateProject } from './mutations';

const test = setUpTestDatabase();

const prisma = () => test().db.prisma;
const system = <T>(work: (tx: Tx) => Promise<T>) => asSystem(prisma(), work);

const project = (id: string) => system((tx) => tx.project.findUnique({ where: { id } }));
const audits = (where: { userId?: string; resourceId?: string; action?: string }) =>
  system((tx) => tx.auditLog.findMany({ where, orderBy: { id: 'asc' } }));

/** A project of `owner` (made through createProject) with one application. */
async function newProject(owner: User, extra: { teamId?: string } = {}) {
  const created = await actAs(test(), owner, (tx, c) => createProject(tx, c, { name: uniqueName('Shop'), ...extra }));
  return created;
}

describe('createProject', () => {
  it('creates a project owned by the actor, tags in metadata, audited with IP and user agent', async () => {
    const alice = await newUser(test());
    const created = await actAs(test(), alice, (tx, c) =>
      createProject(tx, c, { name: '  Billing ', description: 'Invoices', tags: 'API, pci, api' }),
    );
    expect(await project(created.id)).toMatchObject({
      name: 'Billing',
      description: 'Invoices',
      ownerId: alice.id,
      teamId: null,
      metadata: { tags: ['api', 'pci'] },
    });
    expect(await audits({ resourceId: created.id })).toEqual([
      expect.objectContaining({
        action: 'project.create',
        userId: alice.id,
        resourceType: 'project',
        ipAddress: TEST_META.ip,
        userAgent: TEST_META.userAgent,
        details: { name: 'Billing', teamId: null, teamName: null, tags: ['api', 'pci'] },
      }),
    ]);
  });

  it('refuses a second project of the same name for the same owner, beside the name field; others may use it', async () => {
    const [alice, bob] = [await newUser(test()), await newUser(test())];
    const { name } = await newProject(alice);
    const error = await refusal(actAs(test(), alice, (tx, c) => createProject(tx, c, { name })));
    expect(error).toMatchObject({
      code: 'conflict',
      message: `You already have a project named “${name}”: choose another name.`,
      options: { field: 'name' },
    });
    expect(await system((tx) => tx.project.count({ where: { name } }))).toBe(1);
    await actAs(test(), bob, (tx, c) => createProject(tx, c, { name }));
    expect(await system((tx) => tx.project.count({ where: { name } }))).toBe(2);
  });

  it('refuses a platform viewer, with an authz.denied audit row', async () => {
    const viewer = await newUser(test(), 'viewer');
    const error = await refusal(actAs(test(), viewer, (tx, c) => createProject(tx, c, { name: uniqueName('Shop') })));
    expect(error.code).toBe('forbidden');
    expect(await system((tx) => tx.project.count({ where: { ownerId: viewer.id } }))).toBe(0);
    expect(await audits({ userId: viewer.id })).toEqual([
      expect.objectContaining({
        action: 'authz.denied',
        resourceType: 'project',
        details: { action: 'project.create' },
      }),
    ]);
  });

  it('puts the project in a team where the actor writes; refuses a team they view or are not in', async () => {
    const [alice, bob] = [await newUser(test()), await newUser(test())];
    const writes = await newTeam(test(), [[alice, 'member']]);
    const views = await newTeam(test(), [[alice, 'viewer']]);
    const foreign = await newTeam(test(), [[bob, 'owner']]);
    const created = await actAs(test(), alice, (tx, c) =>
      createProject(tx, c, { name: uniqueName('Shop'), teamId: writes.id }),
    );
    expect((await project(created.id))?.teamId).toBe(writes.id);

    const viewing = await refusal(
      actAs(test(), alice, (tx, c) => createProject(tx, c, { name: uniqueName('Shop'), teamId: views.id })),
    );
    expect(viewing).toMatchObject({ code: 'forbidden', options: { field: 'teamId' } });
    const outside = await refusal(
      actAs(test(), alice, (tx, c) => createProject(tx, c, { name: uniqueName('Shop'), teamId: foreign.id })),
    );
    expect(outside).toMatchObject({ code: 'not_found', options: { field: 'teamId' } });
    expect(await audits({ userId: alice.id, action: 'authz.denied' })).toEqual([
      expect.objectContaining({ resourceType: 'team', resourceId: views.id }),
      expect.objectContaining({ resourceType: 'team', resourceId: foreign.id }),
    ]);
    expect(await system((tx) => tx.project.count({ where: { ownerId: alice.id } }))).toBe(1);
  });

  it('parses its input again (a bad value never reaches the database)', async () => {
    const alice = await newUser(test());
    await expect(actAs(test(), alice, (tx, c) => createProject(tx, c, { name: 'x\u0000y z' }))).rejects.toBeInstanceOf(
      ZodError,
    );
    await expect(
      actAs(test(), alice, (tx, c) => createProject(tx, c, { name: 'ok name', tags: '$(id)' })),
    ).rejects.toBeInstanceOf(ZodError);
  });
});

describe('updateProject', () => {
  it('renames, describes and re-tags, keeping the other metadata keys, audited with what changed', async () => {
    const alice = await newUser(test());
    const { id } = await newProject(alice);
    await system((tx) =>
      tx.project.update({ where: { id }, data: { metadata: { tags: ['old'], env: 'prod', labels: { tier: 1 } } } }),
    );
    const result = await actAs(test(), alice, (tx, c) =>
      updateProject(tx, c, { projectId: id, name: 'Renamed shop', description: 'Now described', tags: 'web, Edge' }),
    );
    expect(result.changed.sort()).toEqual(['description', 'name', 'tags']);
    expect(await project(id)).toMatchObject({
      name: 'Renamed shop',
      description: 'Now described',
      metadata: { tags: ['web', 'edge'], env: 'prod', labels: { tier: 1 } },
    });
    const [row] = await audits({ resourceId: id, action: 'project.update' });
    expect(row?.details).toMatchObject({
      name: { to: 'Renamed shop' },
      tags: { from: ['old'], to: ['web', 'edge'] },
      description: { changed: true },
    });

    await actAs(test(), alice, (tx, c) =>
      updateProject(tx, c, { projectId: id, name: 'Renamed shop', description: '', tags: '' }),
    );
    expect(await project(id)).toMatchObject({ description: null, metadata: { env: 'prod', labels: { tier: 1 } } });
    expect((await project(id))?.metadata).not.toHaveProperty('tags');
  });

  it('writes and audits nothing when nothing changed', async () => {
    const alice = await newUser(test());
    const { id, name } = await newProject(alice);
    expect(
      await actAs(test(), alice, (tx, c) => updateProject(tx, c, { projectId: id, name, description: null, tags: [] })),
    ).toEqual({ changed: [] });
    expect(await audits({ resourceId: id, action: 'project.update' })).toEqual([]);
  });

  it('refuses a name the owner already uses, beside the name field, also for a team member editing', async () => {
    const [alice, mia] = [await newUser(test()), await newUser(test())];
    const team = await newTeam(test(), [
      [alice, 'owner'],
      [mia, 'member'],
    ]);
    const taken = await newProject(alice);
    const shared = await newProject(alice, { teamId: team.id });
    const own = await refusal(
      actAs(test(), alice, (tx, c) => updateProject(tx, c, { projectId: shared.id, name: taken.name })),
    );
    expect(own).toMatchObject({
      code: 'conflict',
      options: { field: 'name' },
      message: `You already have a project named “${taken.name}”: choose another name.`,
    });
    // mia cannot see alice's personal project: the unique index is what refuses, with the owner named.
    const member = await refusal(
      actAs(test(), mia, (tx, c) => updateProject(tx, c, { projectId: shared.id, name: taken.name })),
    );
    expect(member).toMatchObject({
      code: 'conflict',
      options: { field: 'name' },
      message: expect.stringContaining("project's owner already has"),
    });
    expect((await project(shared.id))?.name).toBe(shared.name);
    await actAs(test(), mia, (tx, c) => updateProject(tx, c, { projectId: shared.id, name: 'Edited by mia' }));
    expect((await project(shared.id))?.name).toBe('Edited by mia');
  });

  it("answers not_found for another tenant's project (audited) and forbidden for a team viewer", async () => {
    const [alice, bob, tina] = [await newUser(test()), await newUser(test()), await newUser(test())];
    const team = await newTeam(test(), [
      [alice, 'owner'],
      [tina, 'viewer'],
    ]);
    const { id, name } = await newProject(alice, { teamId: team.id });
    const hidden = await refusal(
      actAs(test(), bob, (tx, c) => updateProject(tx, c, { projectId: id, name: 'Taken over' })),
    );
    expect(hidden.code).toBe('not_found');
    expect(await audits({ userId: bob.id })).toEqual([
      expect.objectContaining({
        action: 'authz.denied',
        resourceType: 'project',
        resourceId: id,
        details: { action: 'project.update' },
        ipAddress: TEST_META.ip,
      }),
    ]);
    const missing = await refusal(
      actAs(test(), bob, (tx, c) => updateProject(tx, c, { projectId: NO_SUCH_ID, name: 'Whatever' })),
    );
    expect(missing.code).toBe('not_found');
    const viewer = await refusal(
      actAs(test(), tina, (tx, c) => updateProject(tx, c, { projectId: id, name: 'Viewer edit' })),
    );
    expect(viewer.code).toBe('forbidden');
    expect((await project(id))?.name).toBe(name);
  });
});

describe('moveProjectToTeam', () => {
  it("moves the owner's project into their team and back to personal, audited", async () => {
    const alice = await newUser(test());
    const team = await newTeam(test(), [[alice, 'member']]);
    const { id } = await newProject(alice);
    expect(await actAs(test(), alice, (tx, c) => moveProjectToTeam(tx, c, { projectId: id, teamId: team.id }))).toEqual(
      {
        moved: true,
        team,
      },
    );
    expect((await project(id))?.teamId).toBe(team.id);
    expect(await actAs(test(), alice, (tx, c) => moveProjectToTeam(tx, c, { projectId: id, teamId: '' }))).toEqual({
      moved: true,
      team: null,
    });
    expect((await project(id))?.teamId).toBeNull();
    const moves = await audits({ resourceId: id, action: 'project.move_team' });
    expect(moves.map((row) => row.details)).toEqual([
      expect.objectContaining({ from: null, to: team }),
      expect.objectContaining({ from: team, to: null }),
    ]);
  });

  it('refuses a team the actor is not in, or only views (audited), and leaves the project where it was', async () => {
    const [alice, bob] = [await newUser(test()), await newUser(test())];
    const foreign = await newTeam(test(), [[bob, 'owner']]);
    const views = await newTeam(test(), [[alice, 'viewer']]);
    const { id } = await newProject(alice);
    const outside = await refusal(
      actAs(test(), alice, (tx, c) => moveProjectToTeam(tx, c, { projectId: id, teamId: foreign.id })),
    );
    expect(outside).toMatchObject({ code: 'not_found', options: { field: 'teamId' } });
    const viewing = await refusal(
      actAs(test(), alice, (tx, c) => moveProjectToTeam(tx, c, { projectId: id, teamId: views.id })),
    );
    expect(viewing).toMatchObject({ code: 'forbidden', options: { field: 'teamId' } });
    expect((await project(id))?.teamId).toBeNull();
    expect((await audits({ userId: alice.id, action: 'authz.denied' })).map((row) => row.resourceId)).toEqual([
      foreign.id,
      views.id,
    ]);
  });

  it('lets only the owner move it: a writing team member is refused', async () => {
    const [alice, mia] = [await newUser(test()), await newUser(test())];
    const team = await newTeam(test(), [
      [alice, 'owner'],
      [mia, 'admin'],
    ]);
    const other = await newTeam(test(), [[mia, 'owner']]);
    const { id } = await newProject(alice, { teamId: team.id });
    const error = await refusal(
      actAs(test(), mia, (tx, c) => moveProjectToTeam(tx, c, { projectId: id, teamId: other.id })),
    );
    expect(error.code).toBe('forbidden');
    expect((await project(id))?.teamId).toBe(team.id);
  });
});

/** A project with one of everything the delete cascades through. */
async function fullProject(owner: User) {
  const { id, name } = await newProject(owner);
  const ids = await system(async (tx) => {
    const app = await tx.application.create({
      data: { projectId: id, name: 'api', type: 'git', sourceType: 'github' },
    });
    await tx.application.create({
      data: { projectId: id, name: 'old', type: 'docker', status: 'archived', deletedAt: new Date() },
    });
    await tx.gitSource.create({ data: { applicationId: app.id, provider: 'github', repository: 'acme/api' } });
    await tx.envVar.createMany({
      data: [
        { applicationId: app.id, key: 'A', value: '1' },
        { applicationId: app.id, key: 'B', value: '2' },
      ],
    });
    const deployment = await tx.deployment.create({ data: { applicationId: app.id } });
    await tx.deploymentLog.create({ data: { deploymentId: deployment.id, message: 'built' } });
    const db = await tx.database.create({ data: { projectId: id, name: 'main', type: 'postgresql' } });
    await tx.backup.create({ data: { databaseId: db.id, type: 'full' } });
    await tx.domain.create({
      data: { projectId: id, domain: `${uniqueName('d')}.example.com`, targetType: 'application', targetId: app.id },
    });
    return { app: app.id, db: db.id, deployment: deployment.id };
  });
  return { id, name, ...ids };
}

describe('deleteProject', () => {
  it('previews the cascade, then deletes the project and everything in it, audited with the counts', async () => {
    const alice = await newUser(test());
    const p = await fullProject(alice);
    const preview = await actAs(test(), alice, (tx, c) => deletePreview(tx, c, p.id));
    const counts = {
      applications: 2,
      archivedApplications: 1,
      databases: 1,
      domains: 1,
      envVars: 2,
      deployments: 1,
      backups: 1,
    };
    expect(preview).toEqual({ name: p.name, counts, volumes: [] });

    await actAs(test(), alice, (tx, c) => deleteProject(tx, c, { projectId: p.id, confirmation: p.name }));
    expect(await project(p.id)).toBeNull();
    const left = await system(async (tx) => [
      await tx.application.count({ where: { projectId: p.id } }),
      await tx.database.count({ where: { projectId: p.id } }),
      await tx.domain.count({ where: { projectId: p.id } }),
      await tx.envVar.count({ where: { applicationId: p.app } }),
      await tx.gitSource.count({ where: { applicationId: p.app } }),
      await tx.deployment.count({ where: { applicationId: p.app } }),
      await tx.deploymentLog.count({ where: { deploymentId: p.deployment } }),
      await tx.backup.count({ where: { databaseId: p.db } }),
    ]);
    expect(left).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await audits({ resourceId: p.id, action: 'project.delete' })).toEqual([
      expect.objectContaining({ userId: alice.id, details: { name: p.name, teamId: null, removed: counts } }),
    ]);
  });

  it('needs the name typed exactly, beside the confirmation field', async () => {
    const alice = await newUser(test());
    const { id, name } = await newProject(alice);
    for (const confirmation of [name.toLowerCase(), ` ${name}`, `${name} `, 'yes']) {
      const error = await refusal(
        actAs(test(), alice, (tx, c) => deleteProject(tx, c, { projectId: id, confirmation })),
      );
      expect(error).toMatchObject({ code: 'invalid', options: { field: 'confirmation' } });
    }
    expect(await project(id)).not.toBeNull();
  });

  it('refuses while the project has a volume, attached or detached, naming them; nothing is deleted', async () => {
    const alice = await newUser(test());
    const p = await fullProject(alice);
    const [data, spare] = [uniqueName('data'), uniqueName('spare')];
    await system(async (tx) => {
      await tx.volume.create({ data: { name: data, mountPath: '/data', sizeGb: 1, applicationId: p.app } });
      await tx.volume.create({ data: { name: spare, mountPath: '/spare', sizeGb: 1, projectId: p.id } });
    });
    const preview = await actAs(test(), alice, (tx, c) => deletePreview(tx, c, p.id));
    expect(preview.volumes.map((v) => [v.name, v.attachedTo])).toEqual([
      [data, { type: 'application', name: 'api' }],
      [spare, null],
    ]);
    const error = await refusal(
      actAs(test(), alice, (tx, c) => deleteProject(tx, c, { projectId: p.id, confirmation: p.name })),
    );
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(
      `Delete these volumes first (detach an attached one, then delete it): ${data} (attached to application api), ${spare} (detached).`,
    );
    expect(await project(p.id)).not.toBeNull();
    expect(await system((tx) => tx.application.count({ where: { projectId: p.id } }))).toBe(2);

    await system((tx) => tx.volume.updateMany({ where: { name: data }, data: { applicationId: null } }));
    const detached = await refusal(
      actAs(test(), alice, (tx, c) => deleteProject(tx, c, { projectId: p.id, confirmation: p.name })),
    );
    expect(detached.message).toContain(`${data} (detached), ${spare} (detached)`);
    expect(await audits({ resourceId: p.id, action: 'project.delete' })).toEqual([]);
  });

  it("answers not_found for another tenant's project (audited), forbidden for a team admin who is not the owner", async () => {
    const [alice, bob, mia] = [await newUser(test()), await newUser(test()), await newUser(test())];
    const team = await newTeam(test(), [
      [alice, 'owner'],
      [mia, 'admin'],
    ]);
    const { id, name } = await newProject(alice, { teamId: team.id });
    const hidden = await refusal(
      actAs(test(), bob, (tx, c) => deleteProject(tx, c, { projectId: id, confirmation: name })),
    );
    expect(hidden.code).toBe('not_found');
    expect(await audits({ userId: bob.id })).toEqual([
      expect.objectContaining({ action: 'authz.denied', resourceId: id, details: { action: 'project.delete' } }),
    ]);
    expect((await refusal(actAs(test(), bob, (tx, c) => deletePreview(tx, c, id)))).code).toBe('not_found');
    expect(
      (await refusal(actAs(test(), mia, (tx, c) => deleteProject(tx, c, { projectId: id, confirmation: name })))).code,
    ).toBe('forbidden');
    expect((await refusal(actAs(test(), mia, (tx, c) => deletePreview(tx, c, id)))).code).toBe('forbidden');
    expect(await project(id)).not.toBeNull();
  });

  it('refuses a platform viewer even for a project they own', async () => {
    const viewer = await newUser(test(), 'viewer');
    const { id, name } = await system((tx) =>
      tx.project.create({ data: { name: uniqueName('Mine'), ownerId: viewer.id } }),
    );
    expect(
      (await refusal(actAs(test(), viewer, (tx, c) => deleteProject(tx, c, { projectId: id, confirmation: name }))))
        .code,
    ).toBe('forbidden');
    expect(
      (await refusal(actAs(test(), viewer, (tx, c) => updateProject(tx, c, { projectId: id, name: 'Renamed' })))).code,
    ).toBe('forbidden');
    expect(
      (await refusal(actAs(test(), viewer, (tx, c) => moveProjectToTeam(tx, c, { projectId: id, teamId: '' })))).code,
    ).toBe('forbidden');
    expect(await project(id)).toMatchObject({ name });
  });
});
