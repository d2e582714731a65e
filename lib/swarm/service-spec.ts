// An application as a Swarm service spec. Pure: the same application always gives the same spec, so a redeploy
// with nothing changed is recognisable and the spec can be tested without Docker.
import type Docker from 'dockerode';

import type { DockerConfig } from '@/lib/validation/docker-config';

import { EngineError } from './errors';
import { labelsFor, networkName, serviceName } from './names';

export type EngineVolume = { name: string; mountPath: string; type: string };

export type EngineApp = {
  id: string;
  name: string;
  projectId: string;
  image: string;
  replicas: number;
  /** Plain values: secrets are decrypted by the caller right before the spec is made, and never logged. */
  env: Record<string, string>;
  dockerConfig: DockerConfig;
  volumes: EngineVolume[];
};

export type ServiceSpecOptions = {
  /** How long Swarm watches each updated task before calling the update a success (default 15 s). */
  monitorMs?: number;
  /** How long Swarm watches each rolled-back task (default 5 s). */
  rollbackMonitorMs?: number;
  /** Bumped on every deploy so a redeploy of an unchanged spec still replaces the tasks. */
  forceUpdate?: number;
};

export const DEFAULT_MONITOR_MS = 15_000;
export const DEFAULT_ROLLBACK_MONITOR_MS = 5_000;
const MS = 1_000_000; // nanoseconds in a millisecond: Docker's durations are nanoseconds

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Nanoseconds of a stored duration such as "1m30s" or "500ms". */
export function durationNs(value: string): number {
  const match = value === '' ? null : DURATION.exec(value);
  if (!match) throw new EngineError('invalid', `“${value.slice(0, 20)}” is not a duration (use 30s, 1m30s or 500ms).`);
  const [h, m, s, ms] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return (((h * 60 + m) * 60 + s) * 1000 + ms) * MS;
}

function healthCheck(check: DockerConfig['healthcheck']): Docker.HealthConfig | undefined {
  if (!check) return undefined;
  if (check.test[0] === 'NONE') return { Test: ['NONE'] };
  return {
    Test: check.test,
    ...(check.interval !== undefined ? { Interval: durationNs(check.interval) } : {}),
    ...(check.timeout !== undefined ? { Timeout: durationNs(check.timeout) } : {}),
    ...(check.start_period !== undefined ? { StartPeriod: durationNs(check.start_period) } : {}),
    ...(check.retries !== undefined ? { Retries: check.retries } : {}),
  };
}

type ResourceSet = NonNullable<NonNullable<DockerConfig['resources']>['limits']>;

function resourceSet(set: ResourceSet | undefined): Docker.Resources | undefined {
  if (!set) return undefined;
  const out: Docker.Resources = {};
  if (set.memory_bytes !== undefined) out.MemoryBytes = set.memory_bytes;
  if (set.cpus !== undefined) out.NanoCPUs = Math.round(Number(set.cpus) * 1e9);
  return Object.keys(out).length ? out : undefined;
}

function resources(config: DockerConfig['resources']): Docker.ResourceRequirements | undefined {
  const limits = resourceSet(config?.limits);
  const reservations = resourceSet(config?.reservations);
  if (!limits && !reservations) return undefined;
  return { ...(limits ? { Limits: limits } : {}), ...(reservations ? { Reservations: reservations } : {}) };
}

function envList(env: Record<string, string>): string[] {
  return Object.keys(env)
    .sort()
    .map((key) => {
      if (key === '' || key.includes('=') || key.includes('\0'))
        throw new EngineError('invalid', `“${key.slice(0, 40)}” is not a valid environment variable name.`);
      return `${key}=${env[key]}`;
    });
}

function mounts(app: EngineApp): Docker.MountSettings[] {
  return app.volumes.map((volume) => {
    // nfs and s3 volumes need driver options that have nowhere to be stored (see lib/validation/volume.ts).
    if (volume.type !== 'docker_volume') {
      throw new EngineError(
        'invalid',
        `Volume “${volume.name}” is of type ${volume.type}: Slipway mounts Docker volumes only. Detach it and attach a Docker volume.`,
      );
    }
    return {
      Type: 'volume',
      Source: volume.name,
      Target: volume.mountPath,
      // Docker applies these when it creates the volume on a node, so pruning can tell our volumes apart.
      VolumeOptions: { NoCopy: false, Labels: labelsFor(app), DriverConfig: { Name: 'local', Options: {} } },
    };
  });
}

/**
 * start-first, unless a port is published in host mode on a fixed port: a node's port can be bound by one task at a
 * time, so the new task could never start beside the old one and the update would hang (D44). Those services are
 * updated stop-first (a short gap while the task is replaced); ingress ports and unpublished ones keep start-first.
 */
export function updateOrder(config: DockerConfig): 'start-first' | 'stop-first' {
  return (config.ports ?? []).some((port) => port.mode === 'host' && port.published !== undefined)
    ? 'stop-first'
    : 'start-first';
}

export function serviceSpec(app: EngineApp, options: ServiceSpecOptions = {}): Docker.CreateServiceOptions {
  const labels = labelsFor(app);
  const config = app.dockerConfig;
  const check = healthCheck(config.healthcheck);
  const limits = resources(config.resources);
  const projectNetwork = networkName(app.projectId);
  const extraNetworks = (config.networks ?? []).filter((name) => name !== projectNetwork);
  return {
    Name: serviceName(app),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: app.image,
        // argv arrays as data: Docker runs them with exec, no shell splits or expands them. Absent means the image's.
        ...(config.entrypoint?.length ? { Command: config.entrypoint } : {}),
        ...(config.command?.length ? { Args: config.command } : {}),
        Labels: labels,
        Env: envList(app.env),
        ...(check ? { HealthCheck: check } : {}),
        ...(app.volumes.length ? { Mounts: mounts(app) } : {}),
      },
      ...(limits ? { Resources: limits } : {}),
      RestartPolicy: { Condition: 'on-failure', Delay: 5000 * MS, MaxAttempts: 3 },
      // The alias lets the project's other applications reach this one by its plain name.
      Networks: [{ Target: projectNetwork, Aliases: [app.name] }, ...extraNetworks.map((name) => ({ Target: name }))],
      ForceUpdate: options.forceUpdate ?? 0,
    },
    Mode: { Replicated: { Replicas: app.replicas } },
    UpdateConfig: {
      Parallelism: 1,
      Order: updateOrder(config),
      FailureAction: 'rollback',
      Monitor: (options.monitorMs ?? DEFAULT_MONITOR_MS) * MS,
      MaxFailureRatio: 0,
    },
    RollbackConfig: {
      Parallelism: 1,
      Order: updateOrder(config),
      FailureAction: 'pause',
      Monitor: (options.rollbackMonitorMs ?? DEFAULT_ROLLBACK_MONITOR_MS) * MS,
    },
    EndpointSpec: {
      Mode: 'vip',
      Ports: (config.ports ?? []).map((port) => ({
        Protocol: port.protocol,
        TargetPort: port.target,
        ...(port.published !== undefined ? { PublishedPort: port.published } : {}),
        PublishMode: port.mode,
      })),
    },
  };
}
