// The whole pipeline on real parts: a git server, PostgreSQL with pg-boss, the worker, the Docker engine in Swarm
// mode. A push becomes a running service that answers on its port; a version whose health check fails is rolled
// back by Swarm while the old one keeps serving; every line of output lands in deployment_logs and deployments.logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitTestServer } from '@/lib/git/test-server';
import { connectDocker } from '@/lib/swarm';
import { cleanupApp, fetchText, freePort, httpAppDockerfile } from '@/lib/swarm/test-support';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { createPipeline } from './pipeline';
import { enqueueDeployment, type DeploymentQueue } from './queue';
import { newApplication, newUser, startTestQueue, system, waitFor, type User } from './testing/fixtures';
import { startWorker, type DeploymentWorker } from './worker';

const docker = connectDocker();
let test: TestDatabase;
let queue: DeploymentQueue;
let worker: DeploymentWorker;
let git: GitTestServer;
let owner: User;
let app: { id: string; projectId: string };
let port: number;

const FINAL = ['success', 'failed', 'rolled_back'];
const finished = (id: string) =>
  waitFor(
    `deployment ${id} to finish`,
    async () => {
      const row = await system(test, (tx) => tx.deployment.findUnique({ where: { id }, select: { status: true, metadata: true, logs: true } }));
      return row && FINAL.includes(row.status) ? row : null;
    },
    150_000,
  );
const deploy = (appId: string) =>
  system(test, (tx) => enqueueDeployment(tx, queue, { applicationId: appId, triggeredBy: owner.id, trigger: 'deploy' }));

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  git = await startGitServer();
  owner = await newUser(test);
  port = await freePort();
  const appId = await newApplication(test, owner);
  const row = await system(test, (tx) =>
    tx.application.update({
      where: { id: appId },
      data: {
        type: 'git',
        sourceType: 'github',
        replicas: 1,
        sourceConfig: { repository: git.url, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' },
        dockerConfig: {
          ports: [{ target: 8080, published: port, protocol: 'tcp', mode: 'host' }],
          healthcheck: { test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'], interval: '1s', timeout: '1s', retries: 2, start_period: '1s' },
        },
      },
      select: { id: true, projectId: true },
    }),
  );
  app = row;
  await system(test, (tx) => tx.envVar.create({ data: { applicationId: app.id, key: 'GREETING', value: 'hello' } }));
  worker = await startWorker({
    db: test.db,
    queue,
    run: createPipeline({ db: test.db, docker, monitorMs: 3000, rolloutTimeoutMs: 120_000 }),
    pollIntervalMs: 100,
    log: () => {},
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop({ graceMs: 1000 });
  await queue?.stop();
  if (app) await cleanupApp(docker, app);
  await git?.stop();
  await test?.drop();
}, 120_000);

describe('the deployment pipeline', () => {
  it('builds the pushed commit, runs it, and keeps its log', async () => {
    const sha = await git.commit({ Dockerfile: httpAppDockerfile('version-1') }, 'v1');
    const { deploymentId } = await deploy(app.id);
    const done = await finished(deploymentId);
    expect(done.status).toBe('success');
    const metadata = done.metadata as Record<string, unknown>;
    expect(metadata.commit_sha).toBe(sha);
    expect(String(metadata.image)).toMatch(/^slipway\/app-[0-9a-f]{12}:/);
    expect(typeof metadata.duration_seconds).toBe('number');
    await waitFor('version 1 to answer', async () => (await fetchText(port)) === 'version-1', 30_000);

    const lines = await test.db.pool.query<{ message: string }>('SELECT message FROM deployment_logs WHERE deployment_id = $1 ORDER BY id', [deploymentId]);
    expect(lines.rows.some((row) => row.message.includes(`Checked out ${sha}`))).toBe(true);
    expect(lines.rows.length).toBeGreaterThan(3);
    expect(done.logs).toContain('Deployed:');
    const status = await system(test, (tx) => tx.application.findUnique({ where: { id: app.id }, select: { status: true } }));
    expect(status?.status).toBe('running');
  }, 180_000);

  it('rolls back a version whose health check fails; the old version keeps answering', async () => {
    // Host-mode ports bind the node's port per task, so on this one-node swarm a start-first update cannot start the
    // new task beside the old one while both publish the same port: the broken version publishes none (the rollback
    // restores the old spec, port included). Serves nothing on 8080, so its health check can never pass.
    await system(test, (tx) =>
      tx.application.update({
        where: { id: app.id },
        data: { dockerConfig: { healthcheck: { test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'], interval: '1s', timeout: '1s', retries: 2, start_period: '1s' } } },
      }),
    );
    await git.commit({ Dockerfile: 'FROM slipway/busybox:test\nCMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]\n' }, 'broken');
    const { deploymentId } = await deploy(app.id);
    const done = await finished(deploymentId);
    expect(done.status).toBe('rolled_back');
    expect(String((done.metadata as Record<string, unknown>).reason ?? '')).not.toBe('');
    await waitFor('version 1 to answer again', async () => (await fetchText(port)) === 'version-1', 30_000);
  }, 180_000);

  it('refuses a build context that points outside the checkout, even when the row was written around the edge', async () => {
    await system(test, (tx) =>
      tx.application.update({
        where: { id: app.id },
        data: { sourceConfig: { repository: git.url, branch: 'main', dockerfile: 'Dockerfile', build_context: '../../../etc' } },
      }),
    );
    const { deploymentId } = await deploy(app.id);
    const done = await finished(deploymentId);
    expect(done.status).toBe('failed');
    expect((done.metadata as Record<string, unknown>).reason).toBe('The build context must be a folder inside the repository: fix it on the Source tab.');
    // The running version was not touched.
    expect(await fetchText(port)).toBe('version-1');
  }, 120_000);
});
