// The proxy service on the real Swarm (the local Caddy image): created with its admin API on the bind-mounted socket
// and the bootstrap config only, unchanged when asked again, updated when its spec differs, refused when a
// same-named service is not ours, and attached to exactly the networks of the projects it routes for.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectDocker } from '@/lib/swarm/client';
import { labelsFor, networkName, serviceName } from '@/lib/swarm/names';
import { cleanupApps, freePort, removeDir, testApp } from '@/lib/swarm/test-support';

import { getConfig } from './admin';
import { ensureProxyNetworks, ensureProxyService, type ProxyServiceOptions } from './service';

const docker = connectDocker();
const CADDY_IMAGE = 'slipway/caddy:test';
const owner = testApp('proxy');
const other = testApp('proxy-other');
let dir: string;
let options: ProxyServiceOptions;

async function attached(name: string): Promise<string[]> {
  const info = await docker.getService(name).inspect();
  return ((info.Spec.TaskTemplate?.Networks ?? []) as { Target: string }[]).map((network) => network.Target);
}

beforeAll(async () => {
  await promisify(execFile)('bash', ['scripts/make-caddy-image.sh', CADDY_IMAGE], { timeout: 120_000 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-proxy-'));
  options = {
    image: CADDY_IMAGE,
    httpPort: await freePort(),
    httpsPort: await freePort(),
    dir,
    name: serviceName({ id: owner.id, name: 'edge' }),
    labels: labelsFor(owner),
    timeoutMs: 60_000,
  };
}, 120_000);

afterAll(async () => {
  await cleanupApps(docker, [owner, other]);
  await removeDir(dir);
}, 120_000);

describe('ensureProxyService', () => {
  it('creates the service, then leaves it alone, then updates it when the spec differs', async () => {
    const created = await ensureProxyService(docker, options);
    expect(created.action).toBe('created');
    expect(created.adminSocket).toBe(path.join(dir, 'admin.sock'));
    // The bootstrap config only: the admin socket as Caddy sees it.
    expect(await getConfig(created.adminSocket)).toEqual({
      admin: { listen: `unix/${created.adminListen}`, config: { persist: false } },
    });
    const info = await docker.getService(created.id).inspect();
    expect(info.Spec.EndpointSpec.Ports).toEqual([
      expect.objectContaining({ TargetPort: 80, PublishedPort: options.httpPort, PublishMode: 'host' }),
      expect.objectContaining({ TargetPort: 443, PublishedPort: options.httpsPort, PublishMode: 'host' }),
    ]);
    expect(info.Spec.TaskTemplate.Placement.Constraints).toEqual(['node.role == manager']);

    const again = await ensureProxyService(docker, options);
    expect(again.action).toBe('unchanged');
    expect((await docker.getService(created.id).inspect()).Version.Index).toBe(info.Version.Index);

    options = { ...options, httpPort: await freePort() };
    const updated = await ensureProxyService(docker, options);
    expect(updated.action).toBe('updated');
    expect((await docker.getService(created.id).inspect()).Spec.EndpointSpec.Ports[0].PublishedPort).toBe(
      options.httpPort,
    );
    expect(await getConfig(updated.adminSocket)).not.toBeNull();
  }, 180_000);

  it('refuses a same-named service that is not its proxy', async () => {
    const name = serviceName({ id: other.id, name: 'edge' });
    await docker.createService({
      Name: name,
      Labels: labelsFor(other),
      TaskTemplate: { ContainerSpec: { Image: options.image, Command: ['/bin/sleep', '600'] } },
    } as never);
    await expect(ensureProxyService(docker, { ...options, name, labels: labelsFor(other) })).rejects.toThrow(
      /not made by Slipway as its proxy/,
    );
  }, 60_000);

  it('attaches exactly the networks of the routed projects, changing nothing when they are attached', async () => {
    const name = options.name!;
    const socket = path.join(dir, 'admin.sock');
    expect(await ensureProxyNetworks(docker, [owner.projectId, other.projectId], { name, adminSocket: socket })).toBe(
      true,
    );
    const ids = await Promise.all(
      [owner.projectId, other.projectId].map(async (projectId) => {
        const [network] = await docker.listNetworks({ filters: { name: [networkName(projectId)] } });
        return network!.Id;
      }),
    );
    expect((await attached(name)).sort()).toEqual([...ids].sort());
    expect(await getConfig(socket)).not.toBeNull();
    expect(await ensureProxyNetworks(docker, [other.projectId, owner.projectId], { name, adminSocket: socket })).toBe(
      false,
    );
    // The other project lost its routes: its network is let go.
    expect(await ensureProxyNetworks(docker, [owner.projectId], { name, adminSocket: socket })).toBe(true);
    expect(await attached(name)).toEqual([ids[0]]);
    // A spec change keeps the networks.
    options = { ...options, httpsPort: await freePort() };
    expect((await ensureProxyService(docker, options)).action).toBe('updated');
    expect(await attached(name)).toEqual([ids[0]]);
  }, 240_000);
});
