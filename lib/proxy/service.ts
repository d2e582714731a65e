// The edge proxy as a Swarm service (SLIPWAY_PROXY=swarm): one Caddy task on a manager, :80/:443 published in host
// mode (the client's address reaches Caddy, no routing mesh), its admin API on a unix socket in a directory
// bind-mounted from the panel's data dir (never on a TCP port), its storage bind-mounted beside it so the panel can
// read the certificates Caddy issued (D82). It starts with a bootstrap config that only opens the admin socket; the
// reconciler loads the rest. It joins the overlay network of every project that has routes (D80, D83).
import { createHash } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import { dockerMessage, dockerStatus } from '@/lib/swarm/errors';
import { LABEL, networkName } from '@/lib/swarm/names';
import { ensureNetwork } from '@/lib/swarm/network';

import { getConfig } from './admin';

export const PROXY_SERVICE = 'slipway-proxy';
/** Where the bind-mounted proxy directory appears inside Caddy's container. */
export const PROXY_MOUNT = '/slipway';
/** The label marking the proxy service (beside slipway.managed), and the one holding its spec's hash. */
export const PROXY_LABEL = 'slipway.proxy';
export const SPEC_LABEL = 'slipway.proxy.spec';
const MS = 1_000_000;

export type ProxyServiceOptions = {
  image: string;
  httpPort: number;
  httpsPort: number;
  /** Host directory bind-mounted at PROXY_MOUNT: admin socket, bootstrap config, Caddy's data and config homes. */
  dir: string;
  /** Service name; default slipway-proxy (tests use their own). */
  name?: string;
  /** Extra labels (tests give an application's, so their cleanup removes it). */
  labels?: Record<string, string>;
  /** The uid:gid Caddy runs as; default this process's, so the panel owns the socket and can read the storage. */
  user?: string;
  /** Constrain to a manager node (default true: the data dir is on the manager the panel runs on). */
  onManager?: boolean;
  /** How long to wait for the admin API to answer after a create or an update. */
  timeoutMs?: number;
};

export type ProxyPaths = {
  /** The admin socket on this host (ProxyTarget.admin). */
  adminSocket: string;
  /** The admin socket as Caddy sees it (ProxyTarget.adminListen). */
  adminListen: string;
  /** Caddy's file_system storage root on this host (collectProxyCertificates' storageRoot). */
  storageRoot: string;
};

export type ProxyServiceResult = ProxyPaths & { id: string; action: 'created' | 'updated' | 'unchanged' };

/** Where the proxy's files are, on this host and inside the container, for a bind-mounted `dir`. */
export function proxyPaths(dir: string): ProxyPaths {
  return {
    adminSocket: path.join(dir, 'admin.sock'),
    adminListen: `${PROXY_MOUNT}/admin.sock`,
    // XDG_DATA_HOME=/slipway/data: Caddy's storage is $XDG_DATA_HOME/caddy.
    storageRoot: path.join(dir, 'data', 'caddy'),
  };
}

/** The bootstrap config: the admin socket only (the reconciler's first pass loads the routes). */
export function bootstrapConfig(adminListen: string): Record<string, unknown> {
  return { admin: { listen: `unix/${adminListen}`, config: { persist: false } } };
}

type ServiceInfo = {
  ID: string;
  Version: { Index: number };
  Spec: Docker.ServiceSpec & { Labels?: Record<string, string> };
};

async function findService(docker: Docker, name: string): Promise<ServiceInfo | null> {
  try {
    return (await docker.getService(name).inspect()) as ServiceInfo;
  } catch (error) {
    if (dockerStatus(error) === 404) return null;
    throw error;
  }
}

function specOf(options: ProxyServiceOptions, name: string, networks: string[]): Docker.ServiceSpec {
  const user = options.user ?? `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
  const base: Record<string, string> = { [LABEL.managed]: 'true', [PROXY_LABEL]: 'true', ...options.labels };
  // What decides whether the running service must change (the networks are ensureProxyNetworks' business).
  const desired = {
    image: options.image,
    ports: [options.httpPort, options.httpsPort],
    dir: options.dir,
    user,
    onManager: options.onManager ?? true,
    labels: base,
  };
  const hash = createHash('sha256').update(JSON.stringify(desired)).digest('hex').slice(0, 16);
  const labels = { ...base, [SPEC_LABEL]: hash };
  return {
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: options.image,
        Command: ['/usr/bin/caddy', 'run', '--config', `${PROXY_MOUNT}/bootstrap.json`],
        User: user,
        Env: [`XDG_DATA_HOME=${PROXY_MOUNT}/data`, `XDG_CONFIG_HOME=${PROXY_MOUNT}/config`, `HOME=${PROXY_MOUNT}`],
        Labels: labels,
        Mounts: [{ Type: 'bind', Source: options.dir, Target: PROXY_MOUNT }],
        // Caddy finishes its in-flight requests on SIGTERM, within its grace period.
        StopGracePeriod: 10_000 * MS,
      },
      RestartPolicy: { Condition: 'any', Delay: 1000 * MS },
      Placement: desired.onManager ? { Constraints: ['node.role == manager'] } : {},
      Networks: networks.map((target) => ({ Target: target })),
    },
    Mode: { Replicated: { Replicas: 1 } },
    // Host-mode ports cannot be held by two tasks at once: the old one stops before the new one starts.
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'pause' },
    EndpointSpec: {
      Ports: [
        { Protocol: 'tcp', TargetPort: 80, PublishedPort: options.httpPort, PublishMode: 'host' },
        { Protocol: 'tcp', TargetPort: 443, PublishedPort: options.httpsPort, PublishMode: 'host' },
      ],
    },
  };
}

const networksOf = (info: ServiceInfo): string[] =>
  (info.Spec.TaskTemplate?.Networks ?? []).map((network) => network.Target ?? '').filter(Boolean);

/** Waits until Caddy's admin API answers on the socket (after a create or an update restarted the task). */
export async function waitForAdmin(socket: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if ((await getConfig(socket, { timeoutMs: 2000 })) !== undefined) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `The proxy's admin API did not answer on ${socket} within ${timeoutMs} ms: ${(last as Error | undefined)?.message ?? ''}`,
      );
    await sleep(200);
  }
}

/** The ids of every task the service has now (running, stopping or stopped). */
async function taskIds(docker: Docker, name: string): Promise<Set<string>> {
  const tasks = (await docker.listTasks({ filters: { service: [name] } })) as { ID: string }[];
  return new Set(tasks.map((task) => task.ID));
}

/**
 * Waits until the service's only running container is a task Swarm wants running and that did not exist before the
 * change (`before`): right after an update returns, the old task can still look wanted and running, and a config
 * loaded into its Caddy dies with it. Then waits until the admin API answers.
 */
async function waitForTask(
  docker: Docker,
  name: string,
  socket: string,
  before: Set<string>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [containers, tasks] = await Promise.all([
      docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${name}`] } }),
      docker.listTasks({ filters: { service: [name], 'desired-state': ['running'] } }),
    ]);
    const wanted = new Set((tasks as { ID: string }[]).map((task) => task.ID).filter((id) => !before.has(id)));
    if (containers.length === 1 && wanted.has(containers[0]!.Labels['com.docker.swarm.task.id'] ?? '')) break;
    if (Date.now() > deadline) throw new Error(`The proxy service ${name} has no running task after ${timeoutMs} ms.`);
    await sleep(200);
  }
  await waitForAdmin(socket, Math.max(1000, deadline - Date.now()));
}

/**
 * Creates the proxy service, or updates it when its spec differs from ours (the label SPEC_LABEL holds the hash of
 * what we set), keeping the networks it is attached to; unchanged otherwise. Writes the bootstrap config first.
 * Resolves once the admin API answers, with the paths the reconciler and the certificate collector need.
 */
export async function ensureProxyService(docker: Docker, options: ProxyServiceOptions): Promise<ProxyServiceResult> {
  const name = options.name ?? PROXY_SERVICE;
  const paths = proxyPaths(options.dir);
  await mkdir(path.join(options.dir, 'data'), { recursive: true, mode: 0o700 });
  await chmod(options.dir, 0o700);
  await writeFile(path.join(options.dir, 'bootstrap.json'), JSON.stringify(bootstrapConfig(paths.adminListen)));
  const existing = await findService(docker, name);
  let id: string;
  let action: ProxyServiceResult['action'];
  let before = new Set<string>();
  if (!existing) {
    await rm(paths.adminSocket, { force: true });
    const created = await docker.createService(specOf(options, name, []) as Docker.CreateServiceOptions);
    id = created.id as string;
    action = 'created';
  } else {
    if (existing.Spec.Labels?.[LABEL.managed] !== 'true' || existing.Spec.Labels[PROXY_LABEL] !== 'true')
      throw new Error(`A service named ${name} exists but was not made by Slipway as its proxy; remove or rename it.`);
    id = existing.ID;
    const spec = specOf(options, name, networksOf(existing));
    if (existing.Spec.Labels[SPEC_LABEL] === spec.Labels?.[SPEC_LABEL]) action = 'unchanged';
    else {
      // The old task's socket goes first, so the wait below hears the new task, not the old one stopping.
      await rm(paths.adminSocket, { force: true });
      before = await taskIds(docker, name);
      await docker.getService(id).update({ _query: { version: existing.Version.Index }, _body: spec } as never);
      action = 'updated';
    }
  }
  if (action === 'unchanged') await waitForAdmin(paths.adminSocket, options.timeoutMs ?? 60_000);
  else await waitForTask(docker, name, paths.adminSocket, before, options.timeoutMs);
  return { ...paths, id, action };
}

/**
 * Attaches the proxy service to exactly the overlay networks of `projectIds` (each created when missing), so
 * `tasks.<service>` resolves for every routed application. An update restarts Caddy's task (empty until the next
 * load), so it happens only when the set changes, and resolves once the admin API answers again (D83).
 */
export async function ensureProxyNetworks(
  docker: Docker,
  projectIds: string[],
  { name = PROXY_SERVICE, adminSocket, timeoutMs }: { name?: string; adminSocket?: string; timeoutMs?: number } = {},
): Promise<boolean> {
  const wanted = new Set<string>();
  for (const projectId of projectIds) wanted.add(await ensureNetwork(docker, projectId));
  for (let attempt = 0; ; attempt += 1) {
    const info = await findService(docker, name);
    if (!info) throw new Error(`The proxy service ${name} is not running.`);
    // Networks are listed by id once Swarm stored them; a name we gave resolves through the project's network name.
    const current = networksOf(info);
    const names = new Set(projectIds.map(networkName));
    const kept = current.filter((target) => wanted.has(target) || names.has(target));
    const missing = [...wanted].filter((id) => !current.includes(id));
    const same = kept.length === current.length && missing.length === 0;
    if (same) return false;
    const spec = {
      ...info.Spec,
      TaskTemplate: { ...info.Spec.TaskTemplate, Networks: [...kept, ...missing].map((Target) => ({ Target })) },
    };
    if (adminSocket) await rm(adminSocket, { force: true });
    const before = await taskIds(docker, name);
    try {
      await docker.getService(info.ID).update({ _query: { version: info.Version.Index }, _body: spec } as never);
    } catch (error) {
      // Someone else updated it between our inspect and update: read it again once.
      if (attempt < 3 && /out of sequence/i.test(dockerMessage(error))) continue;
      throw error;
    }
    if (adminSocket) await waitForTask(docker, name, adminSocket, before, timeoutMs);
    return true;
  }
}
