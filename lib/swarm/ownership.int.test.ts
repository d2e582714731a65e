// CapRover's rule, checked against the real engine: objects without Slipway's labels (or with another owner's) are
// never updated, scaled or removed, and same-named networks are not joined.
import { randomUUID } from 'node:crypto';

import { afterAll, describe, expect, it } from 'vitest';

import { connectDocker } from './client';
import { deployService } from './deploy';
import { removeService, scaleService } from './manage';
import { LABEL, networkName, serviceName } from './names';
import { ensureNetwork, removeProjectNetwork } from './network';
import type { EngineApp } from './service-spec';
import { BASE_IMAGE, cleanupApps, testApp } from './test-support';

const docker = connectDocker();
const suffix = randomUUID().slice(0, 8);
// Objects this file makes as "someone else's" carry only this label, so they can be found and removed afterwards.
const strangerLabels = { 'slipway.test': suffix };
const apps: { id: string; projectId: string }[] = [];
const sharedName = `shared-${suffix}`;

function engineApp(overrides: Partial<EngineApp> = {}): EngineApp {
  const identity = testApp('own');
  apps.push(identity);
  return { ...identity, image: BASE_IMAGE, replicas: 0, env: {}, volumes: [], dockerConfig: {}, ...overrides };
}

const deployOptions = { timeoutMs: 20_000, pollMs: 200, onLine: () => {} };

async function createStrangerService(name: string, labels: Record<string, string>) {
  const service = await docker.createService({
    Name: name,
    Labels: { ...strangerLabels, ...labels },
    TaskTemplate: { ContainerSpec: { Image: BASE_IMAGE, Command: ['sleep', '300'] } },
    Mode: { Replicated: { Replicas: 0 } },
  });
  return docker.getService(service.id);
}

afterAll(async () => {
  for (const service of await docker.listServices({ filters: { label: [`slipway.test=${suffix}`] } }))
    await docker.getService(service.ID).remove();
  await cleanupApps(docker, apps);
  for (const network of await docker.listNetworks({ filters: { label: [`slipway.test=${suffix}`] } }))
    await docker.getNetwork(network.Id).remove();
  const shared = (await docker.listNetworks({ filters: { name: [sharedName] } })).filter(
    (network) => network.Name === sharedName,
  );
  for (const network of shared) await docker.getNetwork(network.Id).remove();
}, 60_000);

describe('ownership', () => {
  it('never updates, scales or removes a same-named service without our labels', async () => {
    const app = engineApp();
    const stranger = await createStrangerService(serviceName(app), {});
    const before = await stranger.inspect();

    await expect(deployService(docker, app, deployOptions)).rejects.toMatchObject({ code: 'not_ours' });
    expect(await removeService(docker, app.id)).toBe(false);
    await expect(scaleService(docker, app.id, 3)).rejects.toMatchObject({ code: 'not_found' });

    const after = await stranger.inspect();
    expect(after.Version.Index).toBe(before.Version.Index);
    expect(after.Spec).toEqual(before.Spec);
  });

  it('refuses a same-named service that Slipway made for another application', async () => {
    const app = engineApp();
    const stranger = await createStrangerService(serviceName(app), {
      [LABEL.managed]: 'true',
      [LABEL.application]: randomUUID(),
    });
    const before = await stranger.inspect();
    await expect(deployService(docker, app, deployOptions)).rejects.toMatchObject({
      code: 'not_ours',
      message: expect.stringMatching(/will not change it/),
    });
    expect(await removeService(docker, app.id)).toBe(false);
    expect((await stranger.inspect()).Version.Index).toBe(before.Version.Index);
  });

  it('neither joins nor removes a project network that is not ours', async () => {
    const app = engineApp();
    const network = await docker.createNetwork({
      Name: networkName(app.projectId),
      Driver: 'overlay',
      Attachable: true,
      Labels: strangerLabels,
    });
    await expect(deployService(docker, app, deployOptions)).rejects.toMatchObject({ code: 'not_ours' });
    await expect(removeProjectNetwork(docker, app.projectId)).rejects.toMatchObject({ code: 'not_ours' });
    await expect(ensureNetwork(docker, app.projectId)).rejects.toMatchObject({ code: 'not_ours' });
    expect((await network.inspect()).Labels).toEqual(strangerLabels);
    await expect(docker.getService(serviceName(app)).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('creates labelled networks, joins a listed shared one, and removes only its own project network', async () => {
    const app = engineApp({ dockerConfig: { networks: [sharedName] } });
    const result = await deployService(docker, app, deployOptions);
    expect(result.outcome).toBe('success');

    const project = await docker.getNetwork(networkName(app.projectId)).inspect();
    expect(project.Labels).toMatchObject({ [LABEL.managed]: 'true', [LABEL.project]: app.projectId });
    expect(project.Driver).toBe('overlay');
    expect(project.Attachable).toBe(true);
    const shared = await docker.getNetwork(sharedName).inspect();
    expect(shared.Labels).toEqual({ [LABEL.managed]: 'true', [LABEL.shared]: 'true' });
    const service = await docker.getService(result.serviceId).inspect();
    const targets = (service.Spec.TaskTemplate.Networks as { Target: string }[]).map((attachment) => attachment.Target);
    expect(targets.sort()).toEqual([project.Id, shared.Id].sort());

    // A shared network with the name but not our labels is refused for the next application that lists it.
    const strangerShared = `stranger-${suffix}`;
    await docker.createNetwork({ Name: strangerShared, Driver: 'overlay', Labels: strangerLabels });
    const other = engineApp({ dockerConfig: { networks: [strangerShared] } });
    await expect(deployService(docker, other, deployOptions)).rejects.toMatchObject({ code: 'not_ours' });

    expect(await ensureNetwork(docker, app.projectId)).toBe(project.Id);
    await removeService(docker, app.id);
    expect(await removeProjectNetwork(docker, app.projectId)).toBe(true);
    expect(await removeProjectNetwork(docker, app.projectId)).toBe(false);
  });
});
