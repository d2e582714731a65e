// Deploys against the real Swarm: first create, start-first update under load, automatic rollback, scale/stop,
// pruning. Ports are host-mode (the routing mesh does not work on this kernel, see ENVIRONMENT.md).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { DockerConfig } from '@/lib/validation/docker-config';

import { buildImage } from './build';
import { connectDocker } from './client';
import { deployService } from './deploy';
import { pruneImages, removeService, scaleService, stopService } from './manage';
import { imageRef, imageRepo, labelFilters, labelsFor, serviceName } from './names';
import type { EngineApp } from './service-spec';
import { BASE_IMAGE, cleanupApps, fetchText, freePort, httpAppDockerfile, taskPorts, testApp } from './test-support';

const docker = connectDocker();
const app = testApp('web');
const FAST = { timeoutMs: 60_000, monitorMs: 2_000, rollbackMonitorMs: 1_000, pollMs: 200 };
const healthy: DockerConfig['healthcheck'] = {
  test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'],
  interval: '1s',
  timeout: '1s',
  retries: 2,
};
const image = (version: string) => imageRef(app.id, version);
const others: { id: string; projectId: string }[] = [];

function engineApp(overrides: Partial<EngineApp> & { dockerConfig: DockerConfig }): EngineApp {
  return { ...app, image: image('v1'), replicas: 1, env: { GREETING: 'hi' }, volumes: [], ...overrides };
}

beforeAll(async () => {
  // 'other' is for the applications besides `app`, so pruning `app`'s images never meets their containers.
  for (const version of ['v1', 'v2', 'v3', 'other']) {
    await buildImage(docker, {
      context: { dockerfileText: httpAppDockerfile(version) },
      tag: image(version),
      labels: labelsFor(app),
      onLine: () => {},
    });
  }
}, 120_000);

afterAll(async () => {
  await docker
    .getImage(`${imageRepo(app.id)}:stranger`)
    .remove()
    .catch(() => {});
  await cleanupApps(docker, [app, ...others]);
}, 120_000);

describe('deployService', () => {
  it('deploys one replica on a fixed host port, updates it (stop-first), then stops, scales and removes it', async () => {
    const single = { ...testApp('single'), projectId: app.projectId };
    others.push(single);
    const port = await freePort();
    const lines: string[] = [];
    const result = await deployService(
      docker,
      engineApp({
        ...single,
        image: image('other'),
        dockerConfig: {
          ports: [{ target: 8080, published: port, protocol: 'tcp', mode: 'host' }],
          healthcheck: healthy,
        },
      }),
      { ...FAST, onLine: (line) => lines.push(line) },
    );
    expect(result.outcome).toBe('success');
    expect(lines).toContain('task 1/1 running');
    expect(await fetchText(port)).toBe('other');

    // An update of it: the fixed host port cannot be bound twice, so it goes stop-first and finishes (start-first hung).
    const updated: string[] = [];
    const update = await deployService(
      docker,
      engineApp({
        ...single,
        image: image('v2'),
        dockerConfig: {
          ports: [{ target: 8080, published: port, protocol: 'tcp', mode: 'host' }],
          healthcheck: healthy,
        },
      }),
      { ...FAST, onLine: (line) => updated.push(line) },
    );
    expect(update.outcome, updated.join('\n')).toBe('success');
    expect(updated.some((line) => line.includes('(stop-first, 1 replica)'))).toBe(true);
    await expect.poll(() => fetchText(port, 300), { timeout: 20_000, interval: 250 }).toBe('v2');

    await stopService(docker, single.id);
    await expect.poll(() => fetchText(port, 300), { timeout: 20_000, interval: 250 }).toBeNull();
    await scaleService(docker, single.id, 1);
    await expect.poll(() => fetchText(port, 300), { timeout: 20_000, interval: 250 }).toBe('v2');

    expect(await removeService(docker, single.id)).toBe(true);
    expect(await removeService(docker, single.id)).toBe(false);
    await expect(docker.getService(serviceName(single)).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 120_000);

  it('fails a first deploy whose health check never passes', async () => {
    const broken = { ...testApp('broken'), projectId: app.projectId };
    others.push(broken);
    const result = await deployService(
      docker,
      engineApp({
        ...broken,
        image: image('other'),
        dockerConfig: { healthcheck: { ...healthy, test: ['CMD-SHELL', 'exit 1'], retries: 1 } },
      }),
      { ...FAST, onLine: () => {} },
    );
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/health check failed \(exit code 1\)/);
  }, 120_000);

  describe('two replicas, each task on its own host port', () => {
    // Two tasks on one node cannot bind the same host port, and start-first runs old and new side by side: so no
    // fixed published port here. Each task gets its own host port (read from the task), and the client follows the
    // tasks. "Old keeps serving until new is healthy" is shown by the running-task count never dropping below 2.
    const config: DockerConfig = { ports: [{ target: 8080, protocol: 'tcp', mode: 'host' }], healthcheck: healthy };
    const name = serviceName(app);

    it('deploys 2 healthy replicas that answer on their ports', async () => {
      const result = await deployService(docker, engineApp({ replicas: 2, dockerConfig: config }), {
        ...FAST,
        onLine: () => {},
      });
      expect(result.outcome).toBe('success');
      const ports = await taskPorts(docker, name);
      expect(ports).toHaveLength(2);
      for (const { port } of ports) expect(await fetchText(port)).toBe('v1');
    }, 120_000);

    it('redeploys v2 start-first: v1 keeps answering until v2 is healthy, then v2 answers', async () => {
      let done = false;
      let requests = 0;
      let failed = 0;
      let overlap = false;
      let minRunning = Infinity;
      const client = (async () => {
        while (!done) {
          const tasks = (await docker.listTasks({ filters: { service: [name] } })) as { Status: { State: string } }[];
          minRunning = Math.min(minRunning, tasks.filter((task) => task.Status.State === 'running').length);
          const answers = await Promise.all((await taskPorts(docker, name)).map(({ port }) => fetchText(port, 500)));
          requests += answers.length;
          failed += answers.filter((answer) => answer === null).length;
          if (answers.includes('v1') && answers.includes('v2')) overlap = true;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const lines: string[] = [];
      const started = Date.now();
      const result = await deployService(docker, engineApp({ image: image('v2'), replicas: 2, dockerConfig: config }), {
        ...FAST,
        onLine: (line) => lines.push(line),
      });
      done = true;
      await client;
      console.log(
        `start-first switch took ${Date.now() - started} ms: ${failed} of ${requests} requests failed; fewest running tasks ${minRunning}`,
      );

      expect(result.outcome).toBe('success');
      expect(lines.some((line) => line.startsWith('update started'))).toBe(true);
      expect(lines.some((line) => line.startsWith('update completed'))).toBe(true);
      expect(overlap).toBe(true);
      expect(minRunning).toBeGreaterThanOrEqual(2);
      // Under load the second rolled-back task may still be settling when the rollback is reported complete.
      const ports = await vi.waitFor(
        async () => {
          const running = await taskPorts(docker, name);
          expect(running).toHaveLength(2);
          return running;
        },
        { timeout: 30_000, interval: 250 },
      );
      for (const { port } of ports) expect(await fetchText(port)).toBe('v2');
    }, 120_000);

    it('rolls back a version whose health check fails, and the old version keeps serving', async () => {
      const failing: DockerConfig = {
        ...config,
        healthcheck: { ...healthy, test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:9/ || exit 1'], retries: 1 },
      };
      const lines: string[] = [];
      const result = await deployService(
        docker,
        engineApp({ image: image('v3'), replicas: 2, dockerConfig: failing }),
        {
          ...FAST,
          onLine: (line) => lines.push(line),
        },
      );
      expect(result.outcome).toBe('rolled_back');
      expect(result.reason).toMatch(/health check failed.*Connection refused.*rolled back/);
      // Swarm may start and finish the rollback between two polls; a rollback line is there either way.
      expect(lines.some((line) => /^rollback (started|completed)/.test(line))).toBe(true);

      const service = await docker.getService(name).inspect();
      expect(service.Spec.TaskTemplate.ContainerSpec.Image).toMatch(new RegExp(`^${image('v2')}`));
      // Under load the second rolled-back task may still be settling when the rollback is reported complete.
      const ports = await vi.waitFor(
        async () => {
          const running = await taskPorts(docker, name);
          expect(running).toHaveLength(2);
          return running;
        },
        { timeout: 30_000, interval: 250 },
      );
      for (const { port } of ports) expect(await fetchText(port)).toBe('v2');
    }, 120_000);

    it('prunes the application’s images except the kept ones, and never an unlabelled image', async () => {
      // An image in our repository but without our labels (the base image, tagged by hand): never removed.
      await docker.getImage(BASE_IMAGE).tag({ repo: imageRepo(app.id), tag: 'stranger' });
      // The rolled-back v3 tasks may still be stopping; a running container keeps its image (reported as failed).
      const v3 = (await docker.getImage(image('v3')).inspect()).Id;
      await expect
        .poll(
          async () =>
            (await docker.listContainers({ filters: { label: labelFilters(app.id) } })).filter((c) => c.ImageID === v3)
              .length,
          { timeout: 20_000 },
        )
        .toBe(0);
      const result = await pruneImages(docker, app.id, ['v2', image('other')]);
      expect(result.removed.sort()).toEqual([image('v1'), image('v3')]);
      expect(result.failed).toEqual([]);
      await expect(docker.getImage(image('v2')).inspect()).resolves.toBeTruthy();
      await expect(docker.getImage(`${imageRepo(app.id)}:stranger`).inspect()).resolves.toBeTruthy();
      await expect(docker.getImage(image('v1')).inspect()).rejects.toMatchObject({ statusCode: 404 });
    }, 60_000);
  });
});
