// Test support: a real Caddy (Debian's 2.6.2 binary in a local image) as a Swarm service on a project's overlay
// network, its HTTP port published in host mode, its admin API on a unix socket in a bind-mounted temp directory
// (never on a TCP port). Routes are the proxy's rendered config: dynamic `a` upstreams on `tasks.<service>` (D80, D84).
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import { renderProxyConfig } from '@/lib/proxy/config';
import { labelsFor, networkName, serviceName } from '@/lib/swarm/names';
import { ensureNetwork } from '@/lib/swarm/network';
import { freePort, removeDir } from '@/lib/swarm/test-support';

export const CADDY_TEST_IMAGE = 'slipway/caddy-zerodown:test';
const CADDY_BIN = '/usr/bin/caddy';
const MS = 1_000_000;

export type EdgeRoute = { host: string; service: string; port: number };

export const ADMIN_SOCKET_IN_CONTAINER = '/admin/admin.sock';

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

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${out}`))));
  });
}

/** The Caddy image: the host's caddy binary, the libraries ldd lists, busybox for nc; imported, built once. */
export async function ensureCaddyImage(docker: Docker): Promise<string> {
  const present = await docker
    .getImage(CADDY_TEST_IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return CADDY_TEST_IMAGE;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-caddy-image-'));
  try {
    const rootfs = path.join(dir, 'rootfs');
    for (const sub of ['bin', 'usr/bin', 'etc', 'tmp', 'admin'])
      await mkdir(path.join(rootfs, sub), { recursive: true });
    await copyFile(CADDY_BIN, path.join(rootfs, 'usr/bin/caddy'));
    const libraries = [...(await run('ldd', [CADDY_BIN])).matchAll(/(\/\S+\.so[^\s]*)/g)].map((match) => match[1]!);
    for (const library of new Set(libraries)) {
      await mkdir(path.join(rootfs, path.dirname(library)), { recursive: true });
      await copyFile(library, path.join(rootfs, library));
    }
    await copyFile('/bin/busybox', path.join(rootfs, 'bin/busybox'));
    for (const applet of ['sh', 'nc', 'cat', 'ls', 'nslookup'])
      await symlink('busybox', path.join(rootfs, 'bin', applet));
    await writeFile(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(path.join(rootfs, 'etc/nsswitch.conf'), 'hosts: files dns\n');
    const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [repo, tag] = CADDY_TEST_IMAGE.split(':') as [string, string];
    const stream = await docker.importImage(tar.stdout, { repo, tag });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
    );
  } finally {
    await removeDir(dir);
  }
  return CADDY_TEST_IMAGE;
}

export type CaddyService = {
  serviceName: string;
  /** The host port Caddy's :80 is published on (host mode), for 127.0.0.1. */
  port: number;
  socket: string;
  /** POST /load with the whole config; throws with Caddy's message when it refuses. */
  load: (config: Record<string, unknown>) => Promise<void>;
  admin: (method: string, pathname: string, body?: string) => Promise<{ status: number; body: string }>;
  remove: () => Promise<void>;
};

/** One request to Caddy's admin API over its unix socket. */
export function adminRequest(
  socket: string,
  method: string,
  pathname: string,
  body?: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        method,
        path: pathname,
        // Caddy's admin API on a unix socket allows only an empty Host (its origin list is [""]), and Go needs the header.
        setHost: false,
        headers: { host: '', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`admin ${method} ${pathname} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts Caddy as a Swarm service on the project's overlay network (created when missing) for `owner` (an
 * application identity: the service carries its labels, so cleanupApps removes it). Resolves once the admin API
 * answers on the socket; routes come later through load().
 */
export async function startCaddyService(
  docker: Docker,
  owner: { id: string; projectId: string },
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<CaddyService> {
  const image = await ensureCaddyImage(docker);
  await ensureNetwork(docker, owner.projectId);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-caddy-'));
  await writeFile(path.join(dir, 'boot.json'), JSON.stringify(edgeConfig([])));
  const socket = path.join(dir, 'admin.sock');
  const port = await freePort();
  const name = serviceName({ id: owner.id, name: 'edge' });
  const labels = labelsFor(owner);
  const service = await docker.createService({
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Command: ['/usr/bin/caddy', 'run', '--config', '/admin/boot.json'],
        Env: ['XDG_DATA_HOME=/admin/data', 'XDG_CONFIG_HOME=/admin/config', 'HOME=/admin'],
        Labels: labels,
        Mounts: [{ Type: 'bind', Source: dir, Target: '/admin' }],
      },
      RestartPolicy: { Condition: 'on-failure', Delay: 1000 * MS, MaxAttempts: 3 },
      Networks: [{ Target: networkName(owner.projectId) }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: port, PublishMode: 'host' }] },
  } as Docker.CreateServiceOptions);

  const admin = (method: string, pathname: string, body?: string) => adminRequest(socket, method, pathname, body);
  const remove = async () => {
    await docker
      .getService(service.id)
      .remove()
      .catch(() => {});
    await removeDir(dir);
  };
  try {
    for (const deadline = Date.now() + timeoutMs; ; await sleep(200)) {
      const answer = await admin('GET', '/config/').catch(() => null);
      if (answer?.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(`Caddy's admin API did not answer on ${socket} within ${timeoutMs} ms`);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    serviceName: name,
    port,
    socket,
    admin,
    load: async (config) => {
      const answer = await admin('POST', '/load', JSON.stringify(config));
      if (answer.status !== 200) throw new Error(`Caddy refused the config (${answer.status}): ${answer.body}`);
    },
    remove,
  };
}
