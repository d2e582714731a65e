// Against the real Swarm: a service whose entrypoint and command come from docker_config (argv, no shell) serves,
// and publishedPorts reports the host port Swarm picked for its task. Host mode: the routing mesh does not work on
// this kernel (ENVIRONMENT.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildImage } from './build';
import { connectDocker } from './client';
import { deployService } from './deploy';
import { publishedPorts } from './endpoints';
import { imageRef, labelsFor, serviceName } from './names';
import { cleanupApp, fetchText, httpAppDockerfile, oneReplica, taskPorts, testApp } from './test-support';

const docker = connectDocker();
const app = testApp('argv');
const image = imageRef(app.id, 'v1');

beforeAll(async () => {
  await buildImage(docker, {
    context: { dockerfileText: httpAppDockerfile('from-cmd') },
    tag: image,
    labels: labelsFor(app),
    onLine: () => {},
  });
}, 120_000);

afterAll(() => cleanupApp(docker, app), 120_000);

describe('entrypoint and command on a real service', () => {
  it('has no published ports when there is no service', async () => {
    expect(await publishedPorts(docker, { ...app, id: testApp('none').id })).toEqual([]);
  });

  it('runs the given argv instead of the image’s CMD, and reports the published host port', async () => {
    // The image's CMD serves on 8080; only this argv's httpd listens on 8081, the published container port. The
    // realm "$(id)" reaches httpd as those five characters (no shell expands it).
    const result = await deployService(
      docker,
      oneReplica(app, image, {
        ports: [{ target: 8081, protocol: 'tcp', mode: 'host' }],
        entrypoint: ['httpd'],
        command: ['-f', '-p', '8081', '-h', '/www', '-r', '$(id)'],
      }),
      { timeoutMs: 60_000, monitorMs: 1_000, rollbackMonitorMs: 1_000, pollMs: 200, onLine: () => {} },
    );
    expect(result.outcome).toBe('success');

    const inspected = (await docker.getService(serviceName(app)).inspect()) as {
      Spec: { TaskTemplate: { ContainerSpec: { Command?: string[]; Args?: string[] } } };
    };
    expect(inspected.Spec.TaskTemplate.ContainerSpec.Command).toEqual(['httpd']);
    expect(inspected.Spec.TaskTemplate.ContainerSpec.Args).toEqual(['-f', '-p', '8081', '-h', '/www', '-r', '$(id)']);

    await expect.poll(() => taskPorts(docker, serviceName(app)), { timeout: 20_000 }).toHaveLength(1);
    const [task] = await taskPorts(docker, serviceName(app));
    expect(await publishedPorts(docker, app)).toEqual([
      {
        protocol: 'tcp',
        target: 8081,
        published: task!.port,
        mode: 'host',
        node: { addr: expect.any(String), local: true },
      },
    ]);
    await expect.poll(() => fetchText(task!.port, 1_000), { timeout: 20_000 }).toBe('from-cmd');
  }, 120_000);
});
