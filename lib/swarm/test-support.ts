// Helpers shared by the engine's Docker tests: throwaway ids, temp build contexts, label-based cleanup.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type Docker from 'dockerode';

import type { DockerConfig } from '@/lib/validation/docker-config';

import { buildImage } from './build';
import { deployService } from './deploy';
import { imageRef, LABEL, labelFilters, labelsFor, serviceName } from './names';
import type { EngineApp } from './service-spec';

export const BASE_IMAGE = 'slipway/busybox:test';

// Project ids of test applications say which process made them: `xxxxxxxx-xxxx-47e5-8xxx-7e57<pid, 8 hex>` (a
// valid v4 uuid; a random one matches the fixed digits with odds of 1 in 2^30). Docker names take the first 12 hex
// digits, which stay random. Every Docker object of an application carries its project label, so the pre-clean of a
// later run can tell a dead run's leftovers from a live run's and from a real panel's (lib/testing/preclean.ts).
const TEST_PROJECT = /^[0-9a-f]{8}-[0-9a-f]{4}-47e5-8[0-9a-f]{3}-7e57([0-9a-f]{8})$/;

/** A project id marked as this process's test data. */
export function testProjectId(pid = process.pid): string {
  const random = randomUUID().replace(/-/g, '');
  return `${random.slice(0, 8)}-${random.slice(8, 12)}-47e5-8${random.slice(12, 15)}-7e57${pid.toString(16).padStart(8, '0')}`;
}

/** The process that made a test project id, or null for any other id. */
export function testRunOf(projectId: string | undefined): number | null {
  const match = TEST_PROJECT.exec(projectId ?? '');
  return match ? Number.parseInt(match[1]!, 16) : null;
}

/** A fresh application identity per test file, so parallel runs never share Docker names. */
export function testApp(name: string) {
  return { id: randomUUID(), projectId: testProjectId(), name: `${name}-${randomUUID().slice(0, 6)}` };
}

/** A temp directory holding the given files (paths relative to it). */
export async function makeContext(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-ctx-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * An HTTP app on busybox: serves `content` at /, logs a start line on stdout and one on stderr. The shell stays PID 1
 * and exits on SIGTERM: PID 1 without a handler ignores it, and every stop would then wait Docker's 10 s grace.
 */
export function httpAppDockerfile(content: string): string {
  const start = `echo started ${content}; echo warming ${content} >&2; trap 'exit 0' TERM; httpd -f -v -p 8080 -h /www & wait`;
  return [
    `FROM ${BASE_IMAGE}`,
    `RUN mkdir -p /www && echo ${JSON.stringify(content)} > /www/index.html`,
    `CMD ${JSON.stringify(['sh', '-c', start])}`,
  ].join('\n');
}

/**
 * A host port for a service that publishes a fixed one (the engine binds it, so it cannot be bound here and handed
 * over). Ports the kernel hands out for port 0 come from the ephemeral range; this one is picked at random below it,
 * where only other fixed-port callers look, and is checked free. Tests without a fixed port leave `published`
 * empty and read the port Docker chose from the task (`taskPorts`).
 */
export async function freePort(): Promise<number> {
  const [low] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768'))
    .trim()
    .split(/\s+/);
  const ceiling = Math.min(Number(low) || 32768, 32768);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * (ceiling - 20_000));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port between 20000 and ${ceiling} after 50 tries`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

export async function fetchText(port: number, timeoutMs = 1000): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? (await response.text()).trim() : null;
  } catch {
    return null;
  }
}

/** Host ports of the service's running tasks (host-mode publishing without a fixed port: one port per task). */
export async function taskPorts(
  docker: Docker,
  serviceName: string,
): Promise<{ taskId: string; image: string; port: number }[]> {
  const tasks = (await docker.listTasks({ filters: { service: [serviceName], 'desired-state': ['running'] } })) as {
    ID: string;
    Status: { State: string; PortStatus?: { Ports?: { PublishedPort?: number }[] } };
    Spec: { ContainerSpec: { Image: string } };
  }[];
  // A host-mode port is listed once per address family (IPv4 and IPv6): one entry per task is enough here.
  return tasks
    .filter((task) => task.Status.State === 'running')
    .map((task) => ({
      taskId: task.ID,
      image: task.Spec.ContainerSpec.Image,
      port: task.Status.PortStatus?.Ports?.[0]?.PublishedPort ?? 0,
    }))
    .filter((entry) => entry.port > 0);
}

async function retry(what: string, action: () => Promise<unknown>, errors: string[]): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await action();
      return;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      if (attempt >= 40) return void errors.push(`${what}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Removes everything test applications left behind, found by their labels only. Services of all of them go first:
 * a project network shared by several applications stays "in use" until every one of its services is gone.
 * Throws at the end (after trying everything) when something could not be removed, so a leak is seen.
 */
export async function cleanupApps(docker: Docker, apps: { id: string; projectId: string }[]): Promise<void> {
  const errors: string[] = [];
  for (const app of apps) {
    for (const service of await docker.listServices({ filters: { label: labelFilters(app.id) } })) {
      await retry(`service ${service.Spec?.Name}`, () => docker.getService(service.ID).remove(), errors);
    }
  }
  for (const app of apps) {
    // Swarm stops and removes the tasks' containers asynchronously; their images and networks are in use until then.
    for (const container of await docker.listContainers({ all: true, filters: { label: labelFilters(app.id) } })) {
      await retry(`container ${container.Id}`, () => docker.getContainer(container.Id).remove({ force: true }), errors);
    }
  }
  for (const projectId of new Set(apps.map((app) => app.projectId))) {
    for (const network of await docker.listNetworks({
      filters: { label: [`${LABEL.managed}=true`, `${LABEL.project}=${projectId}`] },
    })) {
      await retry(`network ${network.Name}`, () => docker.getNetwork(network.Id).remove(), errors);
    }
  }
  for (const app of apps) {
    for (const image of await docker.listImages({ filters: { label: labelFilters(app.id) } })) {
      await retry(`image ${image.Id}`, () => docker.getImage(image.Id).remove({ force: true }), errors);
    }
  }
  if (errors.length) throw new Error(`Cleanup left objects behind:\n${errors.join('\n')}`);
}

/** cleanupApps for one application. */
export function cleanupApp(docker: Docker, app: { id: string; projectId: string }): Promise<void> {
  return cleanupApps(docker, [app]);
}

type TestApp = { id: string; projectId: string; name: string };

/** The test application running `image` as one replica, with no env and no volumes. */
export function oneReplica(app: TestApp, image: string, dockerConfig: DockerConfig): EngineApp {
  return { ...app, image, replicas: 1, env: {}, volumes: [], dockerConfig };
}

/**
 * Builds httpAppDockerfile(content) as the app's v1 image and deploys it as one replica publishing 8080 on the host.
 * The rollout's outcome, for the caller to assert, and the host port of its task (0 when none runs).
 */
export async function deployHttpApp(
  docker: Docker,
  app: TestApp,
  content: string,
): Promise<{ outcome: string; port: number }> {
  const image = imageRef(app.id, 'v1');
  await buildImage(docker, {
    context: { dockerfileText: httpAppDockerfile(content) },
    tag: image,
    labels: labelsFor(app),
    onLine: () => {},
  });
  const result = await deployService(
    docker,
    oneReplica(app, image, { ports: [{ target: 8080, protocol: 'tcp', mode: 'host' }] }),
    { timeoutMs: 60_000, pollMs: 200, onLine: () => {} },
  );
  const [task] = result.outcome === 'success' ? await taskPorts(docker, serviceName(app)) : [];
  return { outcome: result.outcome, port: task?.port ?? 0 };
}
