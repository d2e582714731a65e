// The whole pipeline on real parts: a git server, PostgreSQL with pg-boss, the worker, the Docker engine in Swarm
// mode. A push becomes a running service that answers on its port; a version whose health check fails is rolled
// back by Swarm while the old one keeps serving; every line of output lands in deployment_logs and deployments.logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_MONITOR_MS } from '@/lib/swarm/service-spec';
import { fetchText, freePort, httpAppDockerfile } from '@/lib/swarm/test-support';

import { servedOn, waitFor } from './testing/fixtures';
import { newGitApp, startPipelineRig, type PipelineRig } from './testing/rig';

let rig: PipelineRig;
let app: { id: string; projectId: string };
let port: number;

const deploy = (appId: string) => rig.deploy(appId);

beforeAll(async () => {
  // Swarm's monitor window must outlast the time a failing health check takes to be declared unhealthy (a 1 s start
  // period, then 2 failed probes of up to 1 s each, every second: seconds more on a loaded machine), or Swarm calls
  // the broken version's update complete before its task fails. The product's own window, not a shorter one.
  rig = await startPipelineRig({ pipeline: { monitorMs: DEFAULT_MONITOR_MS } });
  port = await freePort();
  app = await newGitApp(rig, { dockerConfig: servedOn(port) });
  await rig.system((tx) => tx.envVar.create({ data: { applicationId: app.id, key: 'GREETING', value: 'hello' } }));
}, 60_000);

afterAll(async () => {
  await rig?.stop();
}, 120_000);

describe('the deployment pipeline', () => {
  it('builds the pushed commit, runs it, and keeps its log', async () => {
    const sha = await rig.git.commit({ Dockerfile: httpAppDockerfile('version-1') }, 'v1');
    const done = await deploy(app.id);
    const deploymentId = done.id;
    expect(done.status).toBe('success');
    const metadata = done.metadata as Record<string, unknown>;
    expect(metadata.commit_sha).toBe(sha);
    expect(String(metadata.image)).toMatch(/^slipway\/app-[0-9a-f]{12}:/);
    expect(typeof metadata.duration_seconds).toBe('number');
    await waitFor('version 1 to answer', async () => (await fetchText(port)) === 'version-1', 30_000);

    const lines = await rig.test.systemPool.query<{ message: string }>(
      'SELECT message FROM deployment_logs WHERE deployment_id = $1 ORDER BY id',
      [deploymentId],
    );
    expect(lines.rows.some((row) => row.message.includes(`Checked out ${sha}`))).toBe(true);
    expect(lines.rows.length).toBeGreaterThan(3);
    expect(done.logs).toContain('Deployed:');
    const status = await rig.system((tx) =>
      tx.application.findUnique({ where: { id: app.id }, select: { status: true } }),
    );
    expect(status?.status).toBe('running');
  }, 180_000);

  it('rolls back a version whose health check fails; the old version keeps answering', async () => {
    // Host-mode ports bind the node's port per task, so on this one-node swarm a start-first update cannot start the
    // new task beside the old one while both publish the same port: the broken version publishes none (the rollback
    // restores the old spec, port included). Serves nothing on 8080, so its health check can never pass.
    await rig.system((tx) =>
      tx.application.update({
        where: { id: app.id },
        data: {
          dockerConfig: { healthcheck: servedOn(port).healthcheck },
        },
      }),
    );
    await rig.git.commit(
      { Dockerfile: 'FROM slipway/busybox:test\nCMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]\n' },
      'broken',
    );
    const done = await deploy(app.id);
    expect(done.status).toBe('rolled_back');
    expect(String((done.metadata as Record<string, unknown>).reason ?? '')).not.toBe('');
    await waitFor('version 1 to answer again', async () => (await fetchText(port)) === 'version-1', 30_000);
  }, 180_000);

  it('refuses a build context that points outside the checkout, even when the row was written around the edge', async () => {
    await rig.system((tx) =>
      tx.application.update({
        where: { id: app.id },
        data: {
          sourceConfig: {
            repository: rig.git.url,
            branch: 'main',
            dockerfile: 'Dockerfile',
            build_context: '../../../etc',
          },
        },
      }),
    );
    const done = await deploy(app.id);
    expect(done.status).toBe('failed');
    expect((done.metadata as Record<string, unknown>).reason).toBe(
      'The build context must be a folder inside the repository: fix it on the Source tab.',
    );
    // The running version was not touched.
    expect(await fetchText(port)).toBe('version-1');
  }, 120_000);
});
