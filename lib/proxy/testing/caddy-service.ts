// Test support: the proxy as the panel runs it, on the real Swarm: ensureProxyService (lib/proxy/service.ts) with
// the local Caddy image (scripts/make-caddy-image.sh), its HTTP port published in host mode on a free port, its
// admin API on the unix socket in a bind-mounted temp directory (never on a TCP port), attached to the project's
// overlay network (ensureProxyNetworks), loaded with the proxy's rendered config (renderProxyConfig: dynamic `a`
// upstreams on tasks.<service>, D80, D84).
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import type Docker from 'dockerode';

import { loadConfig } from '@/lib/proxy/admin';
import { renderProxyConfig } from '@/lib/proxy/config';
import { ensureProxyNetworks, ensureProxyService, PROXY_MOUNT, waitForAdmin } from '@/lib/proxy/service';
import { labelsFor, serviceName } from '@/lib/swarm/names';
import { freePort, removeDir } from '@/lib/swarm/test-support';

export const CADDY_TEST_IMAGE = 'slipway/caddy:test';
const MAKE_IMAGE = path.resolve(__dirname, '../../../scripts/make-caddy-image.sh');

export type EdgeRoute = { host: string; service: string; port: number };

export const ADMIN_SOCKET_IN_CONTAINER = `${PROXY_MOUNT}/admin.sock`;

/**
 * The proxy's own config (renderProxyConfig, lib/proxy/config.ts) for plain-HTTP routes to `tasks.<service>`, admin
 * API on the container's socket: the tests prove the config the panel loads, not a copy of it.
 */
export function edgeConfig(routes: EdgeRoute[]): Record<string, unknown> {
  return renderProxyConfig({
    routes: routes.map((route, index) => ({
      id: `route-${index}`,
      host: route.host,
      pathPrefix: '/',
      tlsEnabled: false,
      upstream: { kind: 'tasks', service: route.service, port: route.port },
    })),
    certificates: [],
    settings: { acmeEmail: '', acmeCa: 'internal', acmeDirectoryUrl: '', panelDomain: '', panelUpstream: '' },
    adminSocket: ADMIN_SOCKET_IN_CONTAINER,
    httpPort: 80,
  }).config;
}

/** The local Caddy image, built by the script CI's services step runs too (cached by the hash of its inputs). */
export async function ensureCaddyImage(docker?: Docker): Promise<string> {
  await promisify(execFile)('bash', [MAKE_IMAGE, CADDY_TEST_IMAGE], { timeout: 120_000 });
  // With a client at hand, prove the script left the image behind (it exits 0 when it finds one, too).
  await docker?.getImage(CADDY_TEST_IMAGE).inspect();
  return CADDY_TEST_IMAGE;
}

export type CaddyService = {
  serviceName: string;
  /** The host port Caddy's :80 is published on (host mode), for 127.0.0.1. */
  port: number;
  /** The admin socket on this host. */
  socket: string;
  /** POST /load with the whole config (lib/proxy/admin.ts); throws ProxyRejectedError when Caddy refuses it. */
  load: (config: Record<string, unknown>) => Promise<void>;
  remove: () => Promise<void>;
};

const GONE = new Set(['shutdown', 'complete', 'failed', 'rejected', 'orphaned', 'remove']);

async function untilOneTask(docker: Docker, name: string, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(200)) {
    const tasks = (await docker.listTasks({ filters: { service: [name] } })) as {
      DesiredState: string;
      Status: { State: string };
      Spec: { Networks?: unknown[] };
    }[];
    // Only a task made after the network update carries the network: right after the update the old task still
    // looks wanted and running, so "one running task" alone would pass before the update began.
    const running = tasks.filter(
      (task) => task.DesiredState === 'running' && task.Status.State === 'running' && task.Spec.Networks?.length,
    );
    const others = tasks.filter((task) => task.DesiredState !== 'running');
    if (running.length === 1 && tasks.length === others.length + 1 && others.every((t) => GONE.has(t.Status.State)))
      return;
    if (Date.now() > deadline)
      throw new Error(`the proxy service ${name} did not settle on one task in ${timeoutMs} ms`);
  }
}

/**
 * Starts the proxy service for `owner` (an application identity: the service carries its labels, so cleanupApps
 * removes it) on the owner's project network. Resolves once the admin API answers; routes come through load().
 */
export async function startCaddyService(
  docker: Docker,
  owner: { id: string; projectId: string },
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<CaddyService> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-caddy-'));
  const name = serviceName({ id: owner.id, name: 'edge' });
  const port = await freePort();
  const remove = async () => {
    await docker
      .getService(name)
      .remove()
      .catch(() => {});
    await removeDir(dir);
  };
  try {
    const { adminSocket } = await ensureProxyService(docker, {
      image: await ensureCaddyImage(),
      httpPort: port,
      httpsPort: await freePort(),
      dir,
      name,
      labels: labelsFor(owner),
      timeoutMs,
    });
    await ensureProxyNetworks(docker, [owner.projectId], { name, adminSocket, timeoutMs });
    // Its update is stop-first and may return while Swarm still holds the old task: a config loaded into that one
    // dies with it. Wait for exactly one task, the one Swarm wants running, then for its admin API.
    await untilOneTask(docker, name, timeoutMs);
    await waitForAdmin(adminSocket, timeoutMs);
    return {
      serviceName: name,
      port,
      socket: adminSocket,
      load: (config) => loadConfig(adminSocket, config, { timeoutMs: 30_000 }),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
