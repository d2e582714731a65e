// The real deployment machinery for a test file: a database, a pg-boss queue, a git server and a worker running the
// real pipeline against the Docker engine, torn down in one call. Tests then enqueue and wait for the end.
import type { Tx } from '@/lib/db/context';
import type { Prisma } from '@/lib/generated/prisma/client';
import { startGitServer, type GitTestServer, type GitTestServerOptions } from '@/lib/git/test-server';
import { connectDocker } from '@/lib/swarm';
import { cleanupApp } from '@/lib/swarm/test-support';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { newUser, type TestUser as User } from '@/lib/testing/fixtures';

import { createPipeline, type PipelineOptions } from '../pipeline';
import { enqueueDeployment, type DeploymentQueue, type EnqueueInput } from '../queue';
import { startWorker, type DeploymentWorker } from '../worker';
import { newApplication, startTestQueue, system, waitFor } from './fixtures';

export type PipelineRig = {
  test: TestDatabase;
  queue: DeploymentQueue;
  worker: DeploymentWorker;
  git: GitTestServer;
  owner: User;
  docker: ReturnType<typeof connectDocker>;
  /** Applications to remove (service, images, network) at the end. */
  apps: { id: string; projectId: string }[];
  /** Enqueues a deployment of `applicationId` (as the owner) and waits until it ends. */
  deploy: (applicationId: string, input?: Partial<EnqueueInput>, timeoutMs?: number) => Promise<FinishedDeployment>;
  system: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  stop: () => Promise<void>;
};

export type FinishedDeployment = {
  id: string;
  status: string;
  commitSha: string | null;
  metadata: unknown;
  logs: string | null;
};

export async function startPipelineRig(
  options: { git?: GitTestServerOptions; pipeline?: Partial<Omit<PipelineOptions, 'db' | 'docker'>> } = {},
): Promise<PipelineRig> {
  const docker = connectDocker();
  const test = await createTestDatabase();
  const queue = await startTestQueue(test);
  const git = await startGitServer(options.git);
  const owner = await newUser(test);
  const worker = await startWorker({
    db: test.db,
    queue,
    run: createPipeline({ db: test.db, docker, monitorMs: 1000, rolloutTimeoutMs: 120_000, ...options.pipeline }),
    pollIntervalMs: 100,
    log: () => {},
  });
  const apps: PipelineRig['apps'] = [];
  const rig: PipelineRig = {
    test,
    queue,
    worker,
    git,
    owner,
    docker,
    apps,
    system: (work) => system(test, work),
    deploy: async (applicationId, input = {}, timeoutMs = 150_000) => {
      const { deploymentId } = await system(test, (tx) =>
        enqueueDeployment(tx, queue, { applicationId, triggeredBy: owner.id, trigger: 'deploy', ...input }),
      );
      return waitFor(
        `deployment ${deploymentId} to finish`,
        async () => {
          const row = await system(test, (tx) =>
            tx.deployment.findUnique({
              where: { id: deploymentId },
              select: { id: true, status: true, commitSha: true, metadata: true, logs: true },
            }),
          );
          return row && ['success', 'failed', 'rolled_back', 'superseded'].includes(row.status) ? row : null;
        },
        timeoutMs,
      );
    },
    stop: async () => {
      await worker.stop({ graceMs: 1000 });
      await queue.stop();
      for (const app of apps) await cleanupApp(docker, app);
      await git.stop();
      await test.drop();
    },
  };
  return rig;
}

/**
 * A new git application of the rig's owner, one replica, building `repository` (the rig's own by default) at main
 * from ./Dockerfile with this docker_config; registered for the rig's cleanup.
 */
export async function newGitApp(
  rig: PipelineRig,
  options: { dockerConfig?: Prisma.InputJsonObject; repository?: string } = {},
): Promise<{ id: string; projectId: string }> {
  const appId = await newApplication(rig.test, rig.owner);
  const app = await rig.system((tx) =>
    tx.application.update({
      where: { id: appId },
      data: {
        type: 'git',
        replicas: 1,
        sourceConfig: {
          repository: options.repository ?? rig.git.url,
          branch: 'main',
          dockerfile: 'Dockerfile',
          build_context: '.',
        },
        dockerConfig: options.dockerConfig ?? {},
      },
      select: { id: true, projectId: true },
    }),
  );
  rig.apps.push(app);
  return app;
}
