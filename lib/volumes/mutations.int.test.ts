import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PlatformRole } from '@/lib/auth/permissions';
import { asSystem, type Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { actAs, CIPHERTEXT, NO_SUCH_ID, refusal, TEST_META, uniqueName } from '@/lib/testing/fixtures';

import { attachVolume, createVolume, deleteVolume, detachVolume, volumeErrorFrom, volumeNameTaken } from './mutations';
import { listVolumesForApplication, listVolumesForProject } from './queries';

// alice owns `main` (applications api and web, an archived one, database pg) and `side` (application other), and
// a team project where tina is a team viewer. bob is another tenant with his own project, application and volume.
let test: TestDatabase;
const ids = {
  alice: '',
  bob: '',
  tina: '',
  main: '',
  side: '',
  shared: '',
  bobs: '',
  api: '',
  web: '',
  old: '',
  pg: '',
  other: '',
  bobApp: '',
  bobVol: '',
};

const prisma = () => test.db.prisma;
// As the user with this id, the volume domain's refusals translated as its actions translate them.
const as = <T>(id: string, work: (tx: Tx, c: WorkContext) => Promise<T>, role: PlatformRole = 'developer') =>
  actAs(test, { id, role }, work, volumeErrorFrom);

const row = (name: string) => asSystem(prisma(), (tx) => tx.volume.findUnique({ where: { name } }));
const audits = (action: string, resourceId?: string) =>
  asSystem(prisma(), (tx) => tx.auditLog.findMany({ where: { action, resourceId }, orderBy: { id: 'asc' } }));
const volume = (overrides: { name?: string; mountPath?: string; owner?: string; projectId?: string } = {}) => ({
  projectId: overrides.projectId ?? ids.main,
  owner: overrides.owner ?? '',
  name: overrides.name ?? uniqueName('vol'),
  type: 'docker_volume' as const,
  sizeGb: 5,
  mountPath: overrides.mountPath ?? '/data',
});

beforeAll(async () => {
  test = await createTestDatabase();
  await asSystem(prisma(), async (tx) => {
    const user = async (role: string) => {
      const username = uniqueName('u');
      return (
        await tx.user.create({ data: { username, email: `${username}@example.com`, authProvider: 'github', role } })
      ).id;
    };
    [ids.alice, ids.bob, ids.tina] = [await user('developer'), await user('developer'), await user('developer')];
    const team = await tx.team.create({
      data: {
        name: uniqueName('Team'),
        members: {
          create: [
            { userId: ids.alice, role: 'owner' },
            { userId: ids.tina, role: 'viewer' },
          ],
        },
      },
    });
    const project = async (ownerId: string, teamId?: string) =>
      (await tx.project.create({ data: { name: uniqueName('p'), ownerId, teamId } })).id;
    [ids.main, ids.side, ids.shared, ids.bobs] = [
      await project(ids.alice),
      await project(ids.alice),
      await project(ids.alice, team.id),
      await project(ids.bob),
    ];
    const app = async (projectId: string, name: string, deletedAt?: Date) =>
      (await tx.application.create({ data: { projectId, name, type: 'git', sourceType: 'github', deletedAt } })).id;
    [ids.api, ids.web, ids.old] = [
      await app(ids.main, 'api'),
      await app(ids.main, 'web'),
      await app(ids.main, 'old', new Date()),
    ];
    ids.other = await app(ids.side, 'other');
    ids.bobApp = await app(ids.bobs, 'bapp');
    ids.pg = (
      await tx.database.create({
        data: { projectId: ids.main, name: 'pg', type: 'postgresql', connectionString: CIPHERTEXT },
      })
    ).id;
    ids.bobVol = (
      await tx.volume.create({
        data: { name: uniqueName('bobvol'), mountPath: '/srv', sizeGb: 1, applicationId: ids.bobApp },
      })
    ).id;
  });
});

afterAll(async () => {
  await test?.drop();
});

describe('the life of a volume', () => {
  it('creates one attached to an application, lists it, refuses to delete it, detaches and deletes it', async () => {
    const name = uniqueName('data');
    const created = await as(ids.alice, (tx, c) =>
      createVolume(tx, c, volume({ name, owner: `application:${ids.api}` })),
    );
    expect(created).toMatchObject({
      name,
      type: 'docker_volume',
      sizeGb: 5,
      mountPath: '/data',
      owner: { kind: 'application', id: ids.api, name: 'api' },
    });
    expect(await row(name)).toMatchObject({ applicationId: ids.api, projectId: ids.main });
    expect((await audits('volume.create', ids.api))[0]).toMatchObject({
      userId: ids.alice,
      resourceType: 'application',
      details: { volumeId: created.id, name, mountPath: '/data', projectId: ids.main },
      ipAddress: TEST_META.ip,
    });

    const listed = await as(ids.alice, (tx, c) => listVolumesForApplication(tx, c, { applicationId: ids.api }));
    expect(listed.attached.map((v) => v.name)).toContain(name);
    const project = await as(ids.alice, (tx, c) => listVolumesForProject(tx, c, { projectId: ids.main }));
    expect(project.volumes.find((v) => v.id === created.id)?.owner).toMatchObject({ kind: 'application', name: 'api' });
    expect(project.targets.applications.map((a) => a.name)).toEqual(['api', 'web']); // not the archived one
    expect(project.targets.databases).toEqual([{ id: ids.pg, name: 'pg' }]);

    const refused = await refusal(
      as(ids.alice, (tx, c) => deleteVolume(tx, c, { projectId: ids.main, volumeId: created.id })),
    );
    expect(refused).toMatchObject({
      code: 'conflict',
      message: `Volume ${name} is attached to application api at /data: detach it first.`,
    });
    expect(await row(name)).not.toBeNull();

    const detached = await as(ids.alice, (tx, c) => detachVolume(tx, c, { projectId: ids.main, volumeId: created.id }));
    expect(detached.owner).toBeNull();
    expect(await row(name)).toMatchObject({ applicationId: null, databaseId: null, projectId: ids.main });
    expect((await audits('volume.detach', ids.api)).at(-1)?.details).toMatchObject({ volumeId: created.id });
    const afterDetach = await as(ids.alice, (tx, c) => listVolumesForApplication(tx, c, { applicationId: ids.api }));
    expect(afterDetach.attachable.map((v) => v.id)).toContain(created.id);

    await as(ids.alice, (tx, c) => deleteVolume(tx, c, { projectId: ids.main, volumeId: created.id }));
    expect(await row(name)).toBeNull();
    expect((await audits('volume.delete', ids.main)).at(-1)).toMatchObject({
      resourceType: 'project',
      details: { volumeId: created.id, name },
    });
  });

  it('creates a detached volume in the project and attaches it to a database with a new mount path', async () => {
    const created = await as(ids.alice, (tx, c) => createVolume(tx, c, volume({ mountPath: '/backup' })));
    expect(created.owner).toBeNull();
    expect((await audits('volume.create', ids.main)).at(-1)?.details).toMatchObject({ volumeId: created.id });
    const attached = await as(ids.alice, (tx, c) =>
      attachVolume(tx, c, {
        projectId: ids.main,
        volumeId: created.id,
        owner: `database:${ids.pg}`,
        mountPath: '/var/lib/postgresql/data',
      }),
    );
    expect(attached.owner).toMatchObject({ kind: 'database', name: 'pg' });
    expect(await row(created.name)).toMatchObject({
      databaseId: ids.pg,
      mountPath: '/var/lib/postgresql/data',
      projectId: ids.main,
    });
    expect((await audits('volume.attach', ids.pg)).at(-1)).toMatchObject({ resourceType: 'database' });

    const again = await refusal(
      as(ids.alice, (tx, c) =>
        attachVolume(tx, c, { projectId: ids.main, volumeId: created.id, owner: `application:${ids.web}` }),
      ),
    );
    expect(again.message).toBe(
      `Volume ${created.name} is already attached to database pg at /var/lib/postgresql/data: detach it first.`,
    );
    const refused = await refusal(
      as(ids.alice, (tx, c) => deleteVolume(tx, c, { projectId: ids.main, volumeId: created.id })),
    );
    expect(refused.message).toContain('attached to database pg');
  });
});

describe('what is refused', () => {
  it('refuses a bad mount path in the domain function itself, before any row is written', async () => {
    for (const mountPath of ['/etc', '/data/../etc', '/var/run/docker.sock', 'data', '/data\n', '/$(reboot)']) {
      const name = uniqueName('bad');
      const error = await refusal(
        as(ids.alice, (tx, c) => createVolume(tx, c, volume({ name, mountPath, owner: `application:${ids.api}` }))),
      );
      expect(error).toMatchObject({ code: 'invalid', options: { field: 'mountPath' } });
      expect(await row(name)).toBeNull();
    }
    const detached = await as(ids.alice, (tx, c) => createVolume(tx, c, volume()));
    const error = await refusal(
      as(ids.alice, (tx, c) =>
        attachVolume(tx, c, {
          projectId: ids.main,
          volumeId: detached.id,
          owner: `application:${ids.web}`,
          mountPath: '/proc/x',
        }),
      ),
    );
    expect(error.options.field).toBe('mountPath');
  });

  it('refuses a second volume on the same mount path of one application, with a field error', async () => {
    const first = await as(ids.alice, (tx, c) =>
      createVolume(tx, c, volume({ owner: `application:${ids.web}`, mountPath: '/uploads' })),
    );
    const name = uniqueName('second');
    const error = await refusal(
      as(ids.alice, (tx, c) =>
        createVolume(tx, c, volume({ name, owner: `application:${ids.web}`, mountPath: '/uploads' })),
      ),
    );
    expect(error).toMatchObject({ code: 'conflict', options: { field: 'mountPath' } });
    expect(error.message).toBe(
      `Application web already mounts volume ${first.name} at /uploads: choose another path, or detach that volume first.`,
    );
    expect(await row(name)).toBeNull();
    // The same path on another application is its own container.
    await as(ids.alice, (tx, c) =>
      createVolume(tx, c, volume({ owner: `application:${ids.api}`, mountPath: '/uploads' })),
    );
  });

  it('refuses a taken name beside the name field, whoever owns it', async () => {
    const bobs = await asSystem(prisma(), (tx) => tx.volume.findUniqueOrThrow({ where: { id: ids.bobVol } }));
    const error = await refusal(as(ids.alice, (tx, c) => createVolume(tx, c, volume({ name: bobs.name }))));
    expect(error).toMatchObject({ code: 'conflict', message: volumeNameTaken(bobs.name), options: { field: 'name' } });
    expect(error.message).toBe(`A volume named ${bobs.name} already exists (volume names are unique on the server).`);
    // Two people taking the name at once: the unique index decides, and the error is translated the same way.
    const raced = await refusal(
      as(ids.alice, (tx) =>
        tx.volume.create({ data: { name: bobs.name, mountPath: '/x', sizeGb: 1, projectId: ids.main } }),
      ),
    );
    expect(raced.options.field).toBe('name');
  });

  it('refuses attaching to an archived application', async () => {
    const error = await refusal(
      as(ids.alice, (tx, c) => createVolume(tx, c, volume({ owner: `application:${ids.old}` }))),
    );
    expect(error).toMatchObject({
      code: 'conflict',
      message: 'Application old is archived: restore it before attaching volumes to it.',
    });
    const detached = await as(ids.alice, (tx, c) => createVolume(tx, c, volume()));
    const attach = await refusal(
      as(ids.alice, (tx, c) =>
        attachVolume(tx, c, { projectId: ids.main, volumeId: detached.id, owner: `application:${ids.old}` }),
      ),
    );
    expect(attach.message).toContain('archived');
    expect(await row(detached.name)).toMatchObject({ applicationId: null });
  });

  it("refuses attaching to another project's application, and the database refuses it too", async () => {
    const detached = await as(ids.alice, (tx, c) => createVolume(tx, c, volume()));
    const error = await refusal(
      as(ids.alice, (tx, c) =>
        attachVolume(tx, c, { projectId: ids.main, volumeId: detached.id, owner: `application:${ids.other}` }),
      ),
    );
    expect(error).toMatchObject({ code: 'conflict', options: { field: 'owner' } });
    // Named through the other project, the volume is not found there.
    const elsewhere = await refusal(
      as(ids.alice, (tx, c) =>
        attachVolume(tx, c, { projectId: ids.side, volumeId: detached.id, owner: `application:${ids.other}` }),
      ),
    );
    expect(elsewhere.code).toBe('not_found');
    expect(await row(detached.name)).toMatchObject({ applicationId: null, projectId: ids.main });
    // Below the panel: the trigger refuses the same move, and volumeErrorFrom explains it.
    const below = await refusal(
      as(ids.alice, (tx) => tx.volume.update({ where: { id: detached.id }, data: { applicationId: ids.other } })),
    );
    expect(below).toMatchObject({ code: 'conflict', message: 'A volume can only be attached within its own project.' });
  });
});

describe('authorization', () => {
  it("answers not_found for another tenant's application, project and volume, and audits authz.denied", async () => {
    const attempts: [string, (tx: Tx, c: WorkContext) => Promise<unknown>][] = [
      [
        'create on his application',
        (tx, c) => createVolume(tx, c, volume({ projectId: ids.bobs, owner: `application:${ids.bobApp}` })),
      ],
      ['detach through his project', (tx, c) => detachVolume(tx, c, { projectId: ids.bobs, volumeId: ids.bobVol })],
      ['delete through her own project', (tx, c) => deleteVolume(tx, c, { projectId: ids.main, volumeId: ids.bobVol })],
      [
        'attach his volume to her application',
        (tx, c) => attachVolume(tx, c, { projectId: ids.main, volumeId: ids.bobVol, owner: `application:${ids.api}` }),
      ],
      ['list his application', (tx, c) => listVolumesForApplication(tx, c, { applicationId: ids.bobApp })],
      ['list his project', (tx, c) => listVolumesForProject(tx, c, { projectId: ids.bobs })],
      [
        'a database id that does not exist',
        (tx, c) => createVolume(tx, c, volume({ owner: `database:${NO_SUCH_ID}` })),
      ],
    ];
    for (const [label, attempt] of attempts) {
      const before = (await audits('authz.denied')).length;
      const error = await refusal(as(ids.alice, attempt));
      expect(error.code, label).toBe('not_found');
      const denied = await audits('authz.denied');
      expect(denied, label).toHaveLength(before + 1);
      expect(denied.at(-1), label).toMatchObject({ userId: ids.alice, ipAddress: TEST_META.ip });
    }
    expect((await audits('authz.denied', ids.bobApp)).length).toBeGreaterThanOrEqual(2);
    expect(await asSystem(prisma(), (tx) => tx.volume.findUnique({ where: { id: ids.bobVol } }))).toMatchObject({
      applicationId: ids.bobApp,
    });
  });

  it('lets a team viewer read volumes but not change them (forbidden, audited)', async () => {
    const shared = await asSystem(prisma(), (tx) =>
      tx.application.create({ data: { projectId: ids.shared, name: 'svc', type: 'docker', sourceType: 'docker' } }),
    );
    const vol = await as(ids.alice, (tx, c) =>
      createVolume(tx, c, volume({ projectId: ids.shared, owner: `application:${shared.id}` })),
    );
    const seen = await as(ids.tina, (tx, c) => listVolumesForApplication(tx, c, { applicationId: shared.id }));
    expect(seen.attached.map((v) => v.id)).toEqual([vol.id]);

    const writes: ((tx: Tx, c: WorkContext) => Promise<unknown>)[] = [
      (tx, c) =>
        createVolume(tx, c, volume({ projectId: ids.shared, owner: `application:${shared.id}`, mountPath: '/other' })),
      (tx, c) => createVolume(tx, c, volume({ projectId: ids.shared })),
      (tx, c) => detachVolume(tx, c, { projectId: ids.shared, volumeId: vol.id }),
      (tx, c) => deleteVolume(tx, c, { projectId: ids.shared, volumeId: vol.id }),
    ];
    for (const write of writes) {
      expect((await refusal(as(ids.tina, write))).code).toBe('forbidden');
    }
    const denied = await asSystem(prisma(), (tx) =>
      tx.auditLog.findMany({ where: { userId: ids.tina, action: 'authz.denied' } }),
    );
    expect(denied).toHaveLength(writes.length);
    expect(denied.every((entry) => (entry.details as { action?: string }).action === 'volume.write')).toBe(true);
    expect(await row(vol.name)).toMatchObject({ applicationId: shared.id });
  });

  it('refuses a platform viewer even in their own project', async () => {
    const error = await refusal(as(ids.alice, (tx, c) => createVolume(tx, c, volume()), 'viewer'));
    expect(error.code).toBe('forbidden');
  });
});
