// Image retention on real parts: with keepImages N, the images of the latest N successful deployments stay (so a
// rollback never rebuilds) and older Slipway-built images of the application are pruned; an image without our
// labels is never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitTestServer } from '@/lib/git/test-server';
import { connectDocker, imageRepo } from '@/lib/swarm';
import { BASE_IMAGE, cleanupApp } from '@/lib/swarm/test-support';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { createPipeline } from './pipeline';
import { enqueueDeployment, type DeploymentQueue, type EnqueueInput } from './queue';
import { newApplication, newUser, startTestQueue, system, waitFor, type User } from './testing/fixtures';
import { startWorker, type DeploymentWorker } from './worker';

const docker = connectDocker();
let test: TestDatabase;
let queue: DeploymentQueue;
let worker: DeploymentWorker;
let git: GitTestServer;
let owner: User;
let app: { id: string; projectId: string };
const foreignTag = `${imageRepo('00000000-0000-4000-8000-00000000beef')}:not-ours-${process.pid}`;

const deployAndWait = async (input: Partial<EnqueueInput> = {}) => {
  const { deploymentId } = await system(test, (tx) =>
    enqueueDeployment(tx, queue, { applicationId: app.id, triggeredBy: owner.id, trigger: 'deploy', ...input }),
  );
  return waitFor(
    `deployment ${deploymentId} to finish`,
    async () => {
      const row = await system(test, (tx) =>
        tx.deployment.findUnique({ where: { id: deploymentId }, select: { id: true, status: true, metadata: true, logs: true } }),
      );
      return row && ['success', 'failed', 'rolled_back'].includes(row.status) ? row : null;
    },
    150_000,
  );
};

const ourTags = async () =>
  (await docker.listImages({ filters: { reference: [`${imageRepo(app.id)}`] } })).flatMap((image) => image.RepoTags ?? []).sort();

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  git = await startGitServer();
  owner = await newUser(test);
  const appId = await newApplication(test, owner);
  app = await system(test, (tx) =>
    tx.application.update({
      where: { id: appId },
      data: {
        type: 'git',
        replicas: 1,
        sourceConfig: { repository: git.url, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' },
        dockerConfig: {},
      },
      select: { id: true, projectId: true },
    }),
  );
  // An image in our repository's name but without our labels: retention must not see it.
  const base = docker.getImage(BASE_IMAGE);
  const [repo, tag] = foreignTag.split(':') as [string, string];
  await base.tag({ repo, tag });
  worker = await startWorker({
    db: test.db,
    queue,
    run: createPipeline({ db: test.db, docker, keepImages: 2, monitorMs: 1000, rolloutTimeoutMs: 120_000 }),
    pollIntervalMs: 100,
    log: () => {},
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop({ graceMs: 1000 });
  await queue?.stop();
  if (app) await cleanupApp(docker, app);
  await docker.getImage(foreignTag).remove().catch(() => undefined);
  await git?.stop();
  await test?.drop();
}, 120_000);

describe('image retention', () => {
  it('keeps the images of the last N successful deployments, prunes older ones, and rolls back without a build', async () => {
    const images: string[] = [];
    for (const version of ['one', 'two', 'three']) {
      // Stops at once on SIGTERM, as a well-behaved app does; one that ignores it holds its image for the stop grace
      // period, and its image goes with a later prune.
      const cmd = `CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;
      await git.commit({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${version} > /version\n${cmd}\n` }, version);
      const done = await deployAndWait();
      expect(done.status, String(done.logs)).toBe('success');
      images.push(String((done.metadata as Record<string, unknown>).image));
    }
    expect(new Set(images).size).toBe(3);
    // The first image goes once no stopping task holds it (at the end of a later deployment or the start of the
    // next); the last two stay whatever happens.
    const tags = await ourTags();
    expect(tags).toEqual(expect.arrayContaining([images[1], images[2]]));
    expect(tags.length).toBeLessThanOrEqual(3);

    // A rollback to the previous deployment's image: no checkout, no build.
    const rolledBack = await deployAndWait({ image: images[1], trigger: 'rollback' });
    expect(rolledBack.status).toBe('success');
    expect(rolledBack.logs).toContain(`Rolling back to ${images[1]} (no build)`);
    expect(rolledBack.logs).not.toContain('Checked out');
    const [service] = await docker.listServices({ filters: { label: [`slipway.application=${app.id}`] } });
    const template = service?.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined;
    expect(template?.ContainerSpec?.Image).toBe(images[1]);
    // Exactly the two kept images remain, and the unlabelled image of a lookalike name is untouched.
    expect(await ourTags()).toEqual([images[1], images[2]].sort());
    expect((await docker.getImage(foreignTag).inspect()).RepoTags).toContain(foreignTag);
  }, 300_000);
});
