import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { asSystem, asUser } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { CIPHERTEXT, uniqueName } from '@/lib/testing/fixtures';
import { DEPLOYMENTS_PAGE_SIZE, encodeDeploymentCursor } from '@/lib/validation/application';

import { loadApplicationAccess, type ApplicationAccess } from './access';
import { getApplicationView, listDeployments } from './queries';

let test: TestDatabase;
const ids = { alice: '', project: '', git: '', docker: '', odd: '' };
const prisma = () => test.db.prisma;
const access = (appId: string) =>
  asUser(prisma(), ids.alice, async (tx) => (await loadApplicationAccess(tx, appId, ids.alice)) as ApplicationAccess);

beforeAll(async () => {
  test = await createTestDatabase();
  await asSystem(prisma(), async (tx) => {
    const username = uniqueName('alice');
    ids.alice = (
      await tx.user.create({ data: { username, email: `${username}@example.com`, authProvider: 'github' } })
    ).id;
    ids.project = (await tx.project.create({ data: { name: 'viewing', ownerId: ids.alice } })).id;
    ids.git = (
      await tx.application.create({
        data: {
          projectId: ids.project,
          name: 'api',
          type: 'git',
          sourceType: 'github',
          sourceConfig: { repository: 'acme/api', branch: 'main', dockerfile: 'Dockerfile', build_context: '.' },
          dockerConfig: { ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }] },
          gitSource: {
            create: {
              provider: 'github',
              repository: 'acme/api',
              branch: 'main',
              commitSha: 'abc123',
              webhookConfig: { secret: CIPHERTEXT },
            },
          },
          envVarRows: {
            create: [
              { key: 'TOKEN', value: CIPHERTEXT, isSecret: true },
              { key: 'PLAIN', value: 'visible-value' },
            ],
          },
        },
      })
    ).id;
    ids.docker = (
      await tx.application.create({
        data: { projectId: ids.project, name: 'web', type: 'docker', sourceConfig: { image: 'nginx' } },
      })
    ).id;
    // Written outside the panel: a docker_config the schema refuses, and a source_config missing fields.
    ids.odd = (
      await tx.application.create({
        data: { projectId: ids.project, name: 'odd', type: 'git', sourceConfig: {}, dockerConfig: { ports: 'lots' } },
      })
    ).id;
  });
});

afterAll(async () => {
  await test?.drop();
});

describe('getApplicationView', () => {
  it('reads the source from source_config and git_sources, and never carries a secret or env value', async () => {
    const view = await asUser(prisma(), ids.alice, async (tx) => getApplicationView(tx, await access(ids.git)));
    expect(view).toMatchObject({
      name: 'api',
      type: 'git',
      source: {
        type: 'git',
        provider: 'github',
        repository: 'acme/api',
        branch: 'main',
        dockerfile: 'Dockerfile',
        buildContext: '.',
        commitSha: 'abc123',
      },
      dockerConfig: { ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }] },
      dockerConfigProblem: null,
    });
    const serialized = JSON.stringify(view);
    expect(serialized).not.toContain(CIPHERTEXT);
    expect(serialized).not.toContain('visible-value');
  });

  it('shows rows written outside the panel with defaults and says the docker_config does not validate', async () => {
    const view = await asUser(prisma(), ids.alice, async (tx) => getApplicationView(tx, await access(ids.odd)));
    expect(view.source).toEqual({
      type: 'git',
      provider: 'github',
      repository: '',
      branch: 'main',
      dockerfile: 'Dockerfile',
      buildContext: '.',
      commitSha: null,
    });
    expect(view.dockerConfig).toEqual({});
    expect(view.dockerConfigProblem).toMatch(/does not pass validation/);
  });
});

describe('listDeployments', () => {
  it('pages newest first by (started_at, id), exact to the microsecond, with no row skipped or repeated', async () => {
    // 45 deployments, several sharing one millisecond (they differ only in microseconds) and some the same instant.
    await asSystem(prisma(), async (tx) => {
      for (let i = 0; i < 45; i += 1) {
        const micro = String(100 + (i % 7)).padStart(3, '0');
        const startedAt = `2025-01-01T00:00:${String(Math.floor(i / 7)).padStart(2, '0')}.123${micro}Z`;
        await tx.$executeRaw`INSERT INTO deployments (application_id, status, started_at, completed_at, metadata)
          VALUES (${ids.docker}::uuid, 'success', ${startedAt}::timestamptz, ${startedAt}::timestamptz + interval '65 seconds', '{"trigger":"manual"}')`;
      }
      await tx.deployment.create({ data: { applicationId: ids.git, status: 'pending' } });
    });
    const app = await access(ids.docker);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await asUser(prisma(), ids.alice, (tx) => listDeployments(tx, app, { cursor }));
      expect(page.items.length).toBeLessThanOrEqual(DEPLOYMENTS_PAGE_SIZE);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(45);
    const expected = await asSystem(
      prisma(),
      (tx) =>
        tx.$queryRaw<
          { id: string }[]
        >`SELECT id::text FROM deployments WHERE application_id = ${ids.docker}::uuid ORDER BY started_at DESC, id DESC`,
    );
    expect(seen).toEqual(expected.map((row) => row.id));
    const first = await asUser(prisma(), ids.alice, (tx) => listDeployments(tx, app));
    expect(first.items[0]).toMatchObject({
      status: 'success',
      trigger: 'manual',
      durationSeconds: 65,
      triggeredBy: null,
    });
  });

  it('lists only the given application, and refuses a tampered cursor', async () => {
    const app = await access(ids.git);
    const page = await asUser(prisma(), ids.alice, (tx) => listDeployments(tx, app));
    expect(page.items.map((item) => [item.status, item.durationSeconds])).toEqual([['pending', null]]);
    for (const cursor of [
      'not-base64!',
      encodeDeploymentCursor({ startedAt: "2025'; DROP TABLE x;--", id: 'x' }),
      'a'.repeat(500),
    ]) {
      await expect(asUser(prisma(), ids.alice, (tx) => listDeployments(tx, app, { cursor }))).rejects.toBeInstanceOf(
        ZodError,
      );
    }
  });
});
