// Create or update an application's service and wait until Swarm has converged. Only a service whose labels name
// this application is ever updated; a same-named service that is not ours stops the deploy.
import type Docker from 'dockerode';

import { dockerMessage, dockerStatus, EngineError } from './errors';
import { isOurs, serviceName } from './names';
import { ensureNetwork, ensureSharedNetwork } from './network';
import { waitForRollout, type RolloutOutcome, type SwarmTask, type UpdateStatus } from './rollout';
import { serviceSpec, updateOrder, type EngineApp } from './service-spec';

export type DeployOptions = {
  onLine: (line: string) => void;
  signal?: AbortSignal;
  /** How long to wait for the rollout before calling it failed. */
  timeoutMs: number;
  /** Swarm's monitor window per updated task (default 15 s). */
  monitorMs?: number;
  rollbackMonitorMs?: number;
  pollMs?: number;
};

export type DeployResult = { outcome: RolloutOutcome; reason?: string; serviceId: string };

export type ServiceInfo = {
  ID: string;
  Version: { Index: number };
  UpdatedAt: string;
  Spec: Docker.ServiceSpec & { Labels?: Record<string, string> };
  UpdateStatus?: UpdateStatus;
};

/** The application's service, or null when there is none; throws not_ours for a same-named stranger. */
export async function inspectOwnedService(docker: Docker, name: string, appId: string): Promise<ServiceInfo | null> {
  let info: ServiceInfo;
  try {
    info = (await docker.getService(name).inspect()) as ServiceInfo;
  } catch (error) {
    if (dockerStatus(error) === 404) return null;
    throw error;
  }
  // Inspect resolves id prefixes too; only an exact name match is the service we mean.
  if (info.Spec.Name !== name) return null;
  if (!isOurs(info.Spec.Labels, { appId })) {
    throw new EngineError(
      'not_ours',
      `A service named ${name} exists but does not carry Slipway's labels for this application; Slipway will not change it.`,
    );
  }
  return info;
}

export async function deployService(docker: Docker, app: EngineApp, options: DeployOptions): Promise<DeployResult> {
  const { onLine, signal } = options;
  const name = serviceName(app);
  if (signal?.aborted) throw new EngineError('cancelled', 'The deploy was cancelled before it started.');
  await ensureNetwork(docker, app.projectId);
  for (const network of app.dockerConfig.networks ?? []) await ensureSharedNetwork(docker, network);
  const specOptions = { monitorMs: options.monitorMs, rollbackMonitorMs: options.rollbackMonitorMs };
  const rollout = { replicas: app.replicas, onLine, signal, timeoutMs: options.timeoutMs, pollMs: options.pollMs };

  // A concurrent writer (a scale from the UI) makes the version stale: read again and retry a few times.
  for (let attempt = 0; ; attempt += 1) {
    const existing = await inspectOwnedService(docker, name, app.id);
    if (!existing) {
      onLine(`creating service ${name} (${app.replicas} replica${app.replicas === 1 ? '' : 's'}) from ${app.image}`);
      let serviceId: string;
      try {
        serviceId = (await docker.createService(serviceSpec(app, specOptions))).id;
      } catch (error) {
        if (dockerStatus(error) === 409 && attempt < 3) continue;
        throw new EngineError('invalid', `Swarm refused the service ${name}: ${dockerMessage(error)}`);
      }
      const result = await waitForRollout(docker, { ...rollout, serviceId, kind: 'create', earlierTasks: new Set() });
      return { ...result, serviceId };
    }

    // ForceUpdate changes on every deploy so a redeploy of the same image still starts fresh tasks.
    const forceUpdate = ((existing.Spec.TaskTemplate as { ForceUpdate?: number } | undefined)?.ForceUpdate ?? 0) + 1;
    const spec = serviceSpec(app, { ...specOptions, forceUpdate });
    const earlierTasks = new Set(
      ((await docker.listTasks({ filters: { service: [existing.ID] } })) as SwarmTask[]).map((task) => task.ID),
    );
    const order = updateOrder(app.dockerConfig);
    onLine(
      `updating service ${name} to ${app.image} (${order}, ${app.replicas} replica${app.replicas === 1 ? '' : 's'})`,
    );
    if (order === 'stop-first')
      onLine('a port is published in host mode on a fixed port: the old task stops before the new one starts');
    try {
      await docker
        .getService(existing.ID)
        .update({ _query: { version: existing.Version.Index }, _body: spec } as never);
    } catch (error) {
      if (/out of sequence/i.test(dockerMessage(error)) && attempt < 3) continue;
      throw new EngineError('invalid', `Swarm refused the update of ${name}: ${dockerMessage(error)}`);
    }
    const result = await waitForRollout(docker, {
      ...rollout,
      serviceId: existing.ID,
      kind: 'update',
      previousStartedAt: existing.UpdateStatus?.StartedAt,
      earlierTasks,
    });
    return { ...result, serviceId: existing.ID };
  }
}
