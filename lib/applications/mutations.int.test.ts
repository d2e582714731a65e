import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { asSystem, asUser, type Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { getProjectForUser } from '@/lib/projects/queries';
import {
  actAs,
  newProject,
  newUser,
  NO_SUCH_ID,
  refusal,
  setUpTestDatabase,
  TEST_META,
  uniqueName,
  type TestUser as User,
} from '@/lib/testing/fixtures';
import type { CreateApplicationInput } from '@/lib/validation/application';

import {
  archiveApplication,
  createApplication,
  restoreApplication,
  translateApplicationError,
  updateDockerConfig,
  updateGeneral,
  updateSource,
} from './mutations';

const test = setUpTestDatabase();

const prisma = () => test().db.prisma;
const system = <T>(work: (tx: Tx) => Promise<T>) => asSystem(prisma(), work);

const appRow = (id: string) =>
  system((tx) => tx.application.findUniqueOrThrow({ where: { id }, include: { gitSource: true } }));
const audits = (where: { userId?: string; resourceId?: string; action?: string }) =>
  system((tx) => tx.auditLog.findMany({ where, orderBy: { id: 'asc' } }));

const gitInput = (projectId: string, name = uniqueName('app')): Extract<CreateApplicationInput, { type: 'git' }> => ({
  projectId,
  name,
  type: 'git',
  provider: 'github',
  repository: 'acme/api',
  branch: 'main',
  dockerfile: '',
  buildContext: '',
});
const create = (user: User, input: CreateApplicationInput) =>
  actAs(test(), user, (tx, c) => createApplication(tx, c, input), translateApplicationError(String(input.name)));

describe('createApplication', () => {
  it('creates a docker application: source_config holds the image, source_type docker, audited', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id } = await create(alice, { projectId, name: 'web', type: 'docker', image: 'nginx:1.27-alpine' });
    expect(await appRow(id)).toMatchObject({
      projectId,
      name: 'web',
      type: 'docker',
      status: 'stopped',
      sourceType: 'docker',
      sourceConfig: { image: 'nginx:1.27-alpine' },
      dockerConfig: {},
      replicas: 1,
      gitSource: null,
    });
    expect(await audits({ resourceId: id })).toEqual([
      expect.objectContaining({
        action: 'application.create',
        resourceType: 'application',
        userId: alice.id,
        ipAddress: TEST_META.ip,
        details: { projectId, name: 'web', type: 'docker', image: 'nginx:1.27-alpine' },
      }),
    ]);
  });

  it('creates a git application with defaults, source_type = provider, and its git_sources row', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id } = await create(alice, {
      ...gitInput(projectId, 'api'),
      provider: 'gitlab',
      branch: 'release/1.0',
      dockerfile: './docker//api.Dockerfile',
    });
    const row = await appRow(id);
    expect(row).toMatchObject({
      type: 'git',
      sourceType: 'gitlab',
      sourceConfig: {
        repository: 'acme/api',
        branch: 'release/1.0',
        dockerfile: 'docker/api.Dockerfile',
        build_context: '.',
      },
    });
    expect(row.gitSource).toMatchObject({
      provider: 'gitlab',
      repository: 'acme/api',
      branch: 'release/1.0',
      commitSha: null,
      webhookConfig: {},
    });
  });

  it('creates a compose application: the text as typed plus its service names, source_type docker_compose', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const compose =
      'services:\n  web:\n    image: nginx:1.27\n  worker:\n    build: ./worker\n    environment:\n      PASSWORD: hunter2\n';
    const { id } = await create(alice, { projectId, name: 'stack', type: 'compose', compose });
    expect(await appRow(id)).toMatchObject({
      sourceType: 'docker_compose',
      sourceConfig: { compose, services: ['web', 'worker'] },
    });
    const [audit] = await audits({ resourceId: id });
    expect(JSON.stringify(audit!.details)).not.toContain('hunter2');
  });

  it('refuses invalid input before touching the database', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const hostile: CreateApplicationInput[] = [
      { ...gitInput(projectId), branch: 'feature..x' },
      { ...gitInput(projectId), repository: 'ext::sh -c id' },
      { ...gitInput(projectId), dockerfile: '../../etc/passwd' },
      { projectId, name: 'web', type: 'docker', image: 'nginx;rm -rf /' },
      { projectId, name: 'Web', type: 'docker', image: 'nginx' },
      { projectId, name: 'stack', type: 'compose', compose: 'services: {}' },
    ];
    for (const input of hostile) {
      await expect(create(alice, input)).rejects.toBeInstanceOf(ZodError);
    }
    expect(await system((tx) => tx.application.count({ where: { projectId } }))).toBe(0);
  });

  it('refuses a compose file that asks for host powers, with the message naming service and key, and stores nothing', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const hostile = [
      ['services:\n  web:\n    image: nginx\n    privileged: true\n', /^Service "web" sets privileged:/],
      [
        'services:\n  ops:\n    image: docker\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n',
        /^Service "ops" mounts .*Docker socket/,
      ],
      ['services:\n  web:\n    image: nginx\n    volumes: ["/:/host"]\n', /^Service "web" mounts "\/" in volumes:/],
    ] as const;
    for (const [compose, message] of hostile) {
      const error = await create(alice, { projectId, name: 'stack', type: 'compose', compose }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues).toEqual([
        expect.objectContaining({ path: ['compose'], message: expect.stringMatching(message) }),
      ]);
    }
    expect(await system((tx) => tx.application.count({ where: { projectId } }))).toBe(0);

    // Editing an existing compose application's file: refused the same way, and the stored file stays as it was.
    const safe = 'services:\n  web:\n    image: nginx\n';
    const { id } = await create(alice, { projectId, name: 'stack', type: 'compose', compose: safe });
    const privileged = `${safe}    privileged: true\n`;
    await expect(
      actAs(test(), alice, (tx, c) => updateSource(tx, c, { applicationId: id, type: 'compose', compose: privileged })),
    ).rejects.toBeInstanceOf(ZodError);
    expect((await appRow(id)).sourceConfig).toEqual({ compose: safe, services: ['web'] });
    expect(await audits({ resourceId: id, action: 'application.update' })).toEqual([]);
  });

  it('refuses a name already used in the project, archived ones included, beside the name field', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id: other } = await newProject(test(), alice);
    const { id } = await create(alice, gitInput(projectId, 'api'));
    const taken = await refusal(create(alice, { projectId, name: 'api', type: 'docker', image: 'nginx' }));
    expect(taken).toMatchObject({ code: 'conflict', options: { field: 'name' } });
    expect(taken.message).toContain('This project already has an application named api');
    await actAs(test(), alice, (tx, c) => archiveApplication(tx, c, { applicationId: id }));
    await expect(create(alice, { projectId, name: 'api', type: 'docker', image: 'nginx' })).rejects.toMatchObject({
      options: { field: 'name' },
    });
    await expect(create(alice, gitInput(other, 'api'))).resolves.toHaveProperty('id');
  });

  it("treats another tenant's project as missing and audits the attempt", async () => {
    const [alice, mallory] = [await newUser(test()), await newUser(test())];
    const { id: projectId } = await newProject(test(), alice);
    const error = await refusal(create(mallory, gitInput(projectId)));
    expect(error.code).toBe('not_found');
    expect(await audits({ userId: mallory.id, action: 'authz.denied' })).toEqual([
      expect.objectContaining({
        resourceType: 'project',
        resourceId: projectId,
        details: { action: 'application.create' },
      }),
    ]);
    expect(await system((tx) => tx.application.count({ where: { projectId } }))).toBe(0);
  });

  it('refuses viewers (team viewer and platform viewer) with forbidden', async () => {
    const [alice, tina, vera] = [await newUser(test()), await newUser(test()), await newUser(test(), 'viewer')];
    const { id: projectId } = await newProject(test(), alice, {
      members: [
        [tina, 'viewer'],
        [vera, 'member'],
      ],
    });
    expect((await refusal(create(tina, gitInput(projectId)))).code).toBe('forbidden');
    expect((await refusal(create(vera, gitInput(projectId)))).code).toBe('forbidden');
  });
});

describe('updates', () => {
  it('renames and scales; a taken name is a field error; replicas out of range never reach the database', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id } = await create(alice, gitInput(projectId, 'api'));
    await create(alice, gitInput(projectId, 'web'));
    await actAs(test(), alice, (tx, c) => updateGeneral(tx, c, { applicationId: id, name: 'api-v2', replicas: '3' }));
    expect(await appRow(id)).toMatchObject({ name: 'api-v2', replicas: 3 });
    await expect(
      actAs(test(), alice, (tx, c) => updateGeneral(tx, c, { applicationId: id, name: 'web', replicas: 1 })),
    ).rejects.toMatchObject({
      options: { field: 'name' },
    });
    await expect(
      actAs(test(), alice, (tx, c) => updateGeneral(tx, c, { applicationId: id, name: 'api-v2', replicas: 101 })),
    ).rejects.toBeInstanceOf(ZodError);
    expect(await audits({ resourceId: id, action: 'application.update' })).toEqual([
      expect.objectContaining({ details: { section: 'general', name: 'api-v2', previousName: 'api', replicas: 3 } }),
    ]);
  });

  it('keeps git_sources in sync with the source; a new repository forgets the last commit', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id } = await create(alice, gitInput(projectId));
    await system((tx) =>
      tx.gitSource.update({
        where: { applicationId: id },
        data: { commitSha: 'abc123', webhookConfig: { auto_deploy: true } },
      }),
    );
    const source = {
      applicationId: id,
      type: 'git' as const,
      provider: 'gitlab' as const,
      repository: 'acme/api',
      branch: 'dev',
      dockerfile: 'Dockerfile',
      buildContext: 'srv',
    };
    await actAs(test(), alice, (tx, c) => updateSource(tx, c, source));
    let row = await appRow(id);
    expect(row.sourceType).toBe('gitlab');
    expect(row.sourceConfig).toEqual({
      repository: 'acme/api',
      branch: 'dev',
      dockerfile: 'Dockerfile',
      build_context: 'srv',
    });
    expect(row.gitSource).toMatchObject({
      provider: 'gitlab',
      branch: 'dev',
      commitSha: 'abc123',
      webhookConfig: { auto_deploy: true },
    });
    await actAs(test(), alice, (tx, c) =>
      updateSource(tx, c, { ...source, repository: 'git@git.example.com:acme/api2.git' }),
    );
    row = await appRow(id);
    expect(row.gitSource).toMatchObject({ repository: 'git@git.example.com:acme/api2.git', commitSha: null });
  });

  it("refuses to change an application's type through its source", async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id } = await create(alice, gitInput(projectId));
    const error = await refusal(
      actAs(test(), alice, (tx, c) => updateSource(tx, c, { applicationId: id, type: 'docker', image: 'nginx' })),
    );
    expect(error.code).toBe('invalid');
    expect((await appRow(id)).type).toBe('git');
  });

  it('round-trips docker_config, normalized', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id } = await create(alice, gitInput(projectId));
    const dockerConfig = {
      ports: [{ target: 8080, published: 80 }],
      healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'], interval: '90s', retries: 3 },
      resources: { limits: { memory: '1G', cpus: '1.50' }, reservations: { memory: '256Mi' } },
      networks: ['backend', 'backend'],
    };
    await actAs(test(), alice, (tx, c) => updateDockerConfig(tx, c, { applicationId: id, dockerConfig }));
    const stored = (await appRow(id)).dockerConfig;
    expect(stored).toEqual({
      ports: [{ target: 8080, published: 80, protocol: 'tcp', mode: 'ingress' }],
      healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'], interval: '1m30s', retries: 3 },
      resources: {
        limits: { memory: '1G', memory_bytes: 1024 ** 3, cpus: '1.5' },
        reservations: { memory: '256M', memory_bytes: 256 * 1024 ** 2 },
      },
      networks: ['backend'],
    });
    await actAs(test(), alice, (tx, c) =>
      updateDockerConfig(tx, c, { applicationId: id, dockerConfig: stored as never }),
    );
    expect((await appRow(id)).dockerConfig).toEqual(stored);
    const bad = { ...dockerConfig, resources: { limits: { memory: '256M' }, reservations: { memory: '1G' } } };
    await expect(
      actAs(test(), alice, (tx, c) => updateDockerConfig(tx, c, { applicationId: id, dockerConfig: bad })),
    ).rejects.toBeInstanceOf(ZodError);
  });

  it("answers not_found for another tenant's application id, audited; forbidden for a team viewer", async () => {
    const [alice, mallory, tina] = [await newUser(test()), await newUser(test()), await newUser(test())];
    const { id: projectId } = await newProject(test(), alice, { members: [[tina, 'viewer']] });
    const { id } = await create(alice, gitInput(projectId, 'api'));
    for (const work of [
      (tx: Tx, c: WorkContext) => updateGeneral(tx, c, { applicationId: id, name: 'pwned', replicas: 0 }),
      (tx: Tx, c: WorkContext) => archiveApplication(tx, c, { applicationId: id }),
    ]) {
      expect((await refusal(actAs(test(), mallory, work))).code).toBe('not_found');
      expect((await refusal(actAs(test(), tina, work))).code).toBe('forbidden');
    }
    expect(
      (
        await refusal(
          actAs(test(), mallory, (tx, c) =>
            updateGeneral(tx, c, { applicationId: NO_SUCH_ID, name: 'x', replicas: 0 }),
          ),
        )
      ).code,
    ).toBe('not_found');
    expect(await audits({ userId: mallory.id, action: 'authz.denied' })).toHaveLength(3);
    expect((await audits({ userId: mallory.id, resourceId: id }))[0]).toMatchObject({
      resourceType: 'application',
      details: { action: 'application.update' },
    });
    expect(await appRow(id)).toMatchObject({ name: 'api', deletedAt: null });
  });
});

describe('archive and restore', () => {
  it('archives (hidden from the project, status archived, read-only) and restores (stopped, listed again)', async () => {
    const alice = await newUser(test());
    const { id: projectId } = await newProject(test(), alice);
    const { id } = await create(alice, { projectId, name: 'web', type: 'docker', image: 'nginx' });
    const listed = async () =>
      (await asUser(prisma(), alice.id, (tx) => getProjectForUser(tx, projectId, alice.id)))!.applications.map(
        (a) => a.name,
      );

    await actAs(test(), alice, (tx, c) => archiveApplication(tx, c, { applicationId: id }));
    expect(await appRow(id)).toMatchObject({ status: 'archived', deletedAt: expect.any(Date) });
    expect(await listed()).toEqual([]);
    expect(
      (
        await refusal(
          actAs(test(), alice, (tx, c) => updateGeneral(tx, c, { applicationId: id, name: 'web', replicas: 2 })),
        )
      ).code,
    ).toBe('conflict');
    expect(
      (await refusal(actAs(test(), alice, (tx, c) => archiveApplication(tx, c, { applicationId: id })))).code,
    ).toBe('conflict');

    await actAs(test(), alice, (tx, c) => restoreApplication(tx, c, { applicationId: id }));
    expect(await appRow(id)).toMatchObject({ status: 'stopped', deletedAt: null });
    expect(await listed()).toEqual(['web']);
    expect((await audits({ resourceId: id })).map((a) => a.action)).toEqual([
      'application.create',
      'application.archive',
      'application.restore',
    ]);
  });

  it('refuses restore to a team viewer and of an application that is not archived', async () => {
    const [alice, tina] = [await newUser(test()), await newUser(test())];
    const { id: projectId } = await newProject(test(), alice, { members: [[tina, 'viewer']] });
    const { id } = await create(alice, { projectId, name: 'web', type: 'docker', image: 'nginx' });
    expect(
      (await refusal(actAs(test(), alice, (tx, c) => restoreApplication(tx, c, { applicationId: id })))).code,
    ).toBe('conflict');
    await actAs(test(), alice, (tx, c) => archiveApplication(tx, c, { applicationId: id }));
    expect((await refusal(actAs(test(), tina, (tx, c) => restoreApplication(tx, c, { applicationId: id })))).code).toBe(
      'forbidden',
    );
    expect((await appRow(id)).status).toBe('archived');
  });
});
