// Rows, a queue and small waiting helpers for the deployment tests (real PostgreSQL, real pg-boss). People and
// their work (newUser, actAs, workContext) come from lib/testing/fixtures.ts.
import type { TeamRole } from '@/lib/auth/permissions';
import { asSystem, type Tx } from '@/lib/db/context';
import { testProjectId } from '@/lib/swarm/test-support';
import type { TestDatabase } from '@/lib/testing/database';
import { newProject, uniqueName, type TestUser } from '@/lib/testing/fixtures';

import { startQueue, type DeploymentQueue } from '../queue';
import { loadDeployment, type DeploymentRow } from '../state';

export function system<T>(test: TestDatabase, work: (tx: Tx) => Promise<T>): Promise<T> {
  return asSystem(test.db.prisma, work);
}

/** A project of `owner` with one application (status `status`); with `members`, shared through a new team. */
export async function newApplication(
  test: TestDatabase,
  owner: Pick<TestUser, 'id'>,
  options: { status?: string; members?: [Pick<TestUser, 'id'>, TeamRole][] } = {},
): Promise<string> {
  // A marked id: its Docker objects can be swept by a later run if this one dies (lib/testing/preclean.ts).
  const project = await newProject(test, owner, { members: options.members, id: testProjectId() });
  return system(test, async (tx) => {
    const app = await tx.application.create({
      data: {
        projectId: project.id,
        name: uniqueName('app'),
        type: 'git',
        sourceType: 'github',
        status: options.status ?? 'stopped',
      },
    });
    return app.id;
  });
}

/**
 * docker_config of an application serving HTTP on container port 8080, published on host port `port` (host mode:
 * the routing mesh does not work on this kernel), healthy once it answers, checked every second.
 */
export function servedOn(port: number) {
  return {
    ports: [{ target: 8080, published: port, protocol: 'tcp' as const, mode: 'host' as const }],
    healthcheck: {
      test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'],
      interval: '1s',
      timeout: '1s',
      retries: 2,
      start_period: '1s',
    },
  };
}

export function startTestQueue(test: TestDatabase): Promise<DeploymentQueue> {
  return startQueue({ connectionString: test.url, supervise: false, max: 2, log: () => {} });
}

export const deployment = async (test: TestDatabase, id: string): Promise<DeploymentRow> => {
  const row = await system(test, (tx) => loadDeployment(tx, id));
  if (!row) throw new Error(`no deployment ${id}`);
  return row;
};

export const appStatus = async (test: TestDatabase, id: string): Promise<string> =>
  (await system(test, (tx) => tx.application.findUniqueOrThrow({ where: { id }, select: { status: true } }))).status;

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const waitForStatus = (test: TestDatabase, id: string, status: string, timeoutMs?: number) =>
  waitFor(
    `deployment ${id} to be ${status}`,
    async () => {
      const row = await deployment(test, id);
      return row.status === status ? row : null;
    },
    timeoutMs,
  );
