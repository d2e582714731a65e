import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';

import type { DockerConfig } from '@/lib/validation/docker-config';

import { durationNs, serviceSpec, type EngineApp } from './service-spec';

const app: EngineApp = {
  id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  name: 'api',
  projectId: '99999999-8888-4777-8666-555555555555',
  image: 'slipway/app-0a1b2c3d4e5f:abc',
  replicas: 2,
  env: { PORT: '8080', DATABASE_URL: 'postgres://u:p@db/x?a=b', EMPTY: '' },
  dockerConfig: {},
  volumes: [],
};
const labels = { 'slipway.managed': 'true', 'slipway.application': app.id, 'slipway.project': app.projectId };
const S = 1e9;

type Spec = Docker.CreateServiceOptions & {
  TaskTemplate: Docker.ContainerTaskSpec & { ContainerSpec: Docker.ContainerSpec };
};
const spec = (config: DockerConfig, extra: Partial<EngineApp> = {}) =>
  serviceSpec({ ...app, ...extra, dockerConfig: config }) as Spec;

describe('durationNs', () => {
  it.each([
    ['30s', 30 * S],
    ['1m30s', 90 * S],
    ['500ms', 0.5 * S],
    ['1h', 3600 * S],
    ['1h2m3s4ms', (3723 + 0.004) * S],
    ['0s', 0],
  ])('%s', (value, ns) => expect(durationNs(value)).toBe(ns));

  it.each(['', '30', '1.5s', 's', '1d', '30 s', '-1s', '1s1m'])('refuses %j', (value) => {
    expect(() => durationNs(value)).toThrow(expect.objectContaining({ code: 'invalid' }));
  });
});

describe('serviceSpec', () => {
  it('makes the base spec: name, image, replicas, env, labels, policies and the project network', () => {
    const result = spec({});
    expect(result.Name).toBe('slw-0a1b2c3d4e5f-api');
    expect(result.Labels).toEqual(labels);
    expect(result.Mode).toEqual({ Replicated: { Replicas: 2 } });
    const task = result.TaskTemplate;
    expect(task.ContainerSpec).toEqual({
      Image: app.image,
      Labels: labels,
      Env: ['DATABASE_URL=postgres://u:p@db/x?a=b', 'EMPTY=', 'PORT=8080'],
    });
    expect(task.RestartPolicy).toEqual({ Condition: 'on-failure', Delay: 5 * S, MaxAttempts: 3 });
    expect(task.Networks).toEqual([{ Target: 'slw-project-999999998888', Aliases: ['api'] }]);
    expect(task.ForceUpdate).toBe(0);
    expect(task.Resources).toBeUndefined();
    expect(result.UpdateConfig).toEqual({
      Parallelism: 1,
      Order: 'start-first',
      FailureAction: 'rollback',
      Monitor: 15 * S,
      MaxFailureRatio: 0,
    });
    expect(result.RollbackConfig).toEqual({
      Parallelism: 1,
      Order: 'start-first',
      FailureAction: 'pause',
      Monitor: 5 * S,
    });
    expect(result.EndpointSpec).toEqual({ Mode: 'vip', Ports: [] });
  });

  it('updates stop-first only when a port is published in host mode on a fixed port', () => {
    const order = (ports: object[]) => {
      const result = spec({ ports } as never);
      return [result.UpdateConfig?.Order, result.RollbackConfig?.Order];
    };
    expect(order([{ target: 80, published: 8080, protocol: 'tcp', mode: 'host' }])).toEqual([
      'stop-first',
      'stop-first',
    ]);
    expect(order([{ target: 80, protocol: 'tcp', mode: 'host' }])).toEqual(['start-first', 'start-first']);
    expect(order([{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }])).toEqual([
      'start-first',
      'start-first',
    ]);
    expect(order([])).toEqual(['start-first', 'start-first']);
  });

  it('takes the monitor windows and the force-update counter from options', () => {
    const result = serviceSpec(app, { monitorMs: 2000, rollbackMonitorMs: 500, forceUpdate: 7 }) as Spec;
    expect(result.UpdateConfig?.Monitor).toBe(2 * S);
    expect(result.RollbackConfig?.Monitor).toBe(0.5 * S);
    expect(result.TaskTemplate.ForceUpdate).toBe(7);
  });

  it.each<[string, DockerConfig, (result: Spec) => unknown, unknown]>([
    [
      'ports in both modes, published optional',
      {
        ports: [
          { target: 8080, published: 80, protocol: 'tcp', mode: 'ingress' },
          { target: 53, published: 5353, protocol: 'udp', mode: 'host' },
          { target: 9000, protocol: 'tcp', mode: 'host' },
        ],
      },
      (result) => result.EndpointSpec?.Ports,
      [
        { Protocol: 'tcp', TargetPort: 8080, PublishedPort: 80, PublishMode: 'ingress' },
        { Protocol: 'udp', TargetPort: 53, PublishedPort: 5353, PublishMode: 'host' },
        { Protocol: 'tcp', TargetPort: 9000, PublishMode: 'host' },
      ],
    ],
    [
      'a full health check, durations in nanoseconds',
      {
        healthcheck: {
          test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'],
          interval: '1m30s',
          timeout: '500ms',
          start_period: '10s',
          retries: 3,
        },
      },
      (result) => result.TaskTemplate.ContainerSpec.HealthCheck,
      {
        Test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'],
        Interval: 90 * S,
        Timeout: 0.5 * S,
        StartPeriod: 10 * S,
        Retries: 3,
      },
    ],
    [
      'a health check with only a command keeps Docker defaults',
      { healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost/'] } },
      (result) => result.TaskTemplate.ContainerSpec.HealthCheck,
      { Test: ['CMD', 'curl', '-f', 'http://localhost/'] },
    ],
    [
      'a disabled health check',
      { healthcheck: { test: ['NONE'] } },
      (result) => result.TaskTemplate.ContainerSpec.HealthCheck,
      { Test: ['NONE'] },
    ],
    ['no health check', {}, (result) => 'HealthCheck' in result.TaskTemplate.ContainerSpec, false],
    [
      'limits and reservations',
      {
        resources: {
          limits: { memory: '512M', memory_bytes: 536870912, cpus: '1.5' },
          reservations: { memory: '256M', memory_bytes: 268435456, cpus: '0.25' },
        },
      },
      (result) => result.TaskTemplate.Resources,
      {
        Limits: { MemoryBytes: 536870912, NanoCPUs: 1.5e9 },
        Reservations: { MemoryBytes: 268435456, NanoCPUs: 0.25e9 },
      },
    ],
    [
      'only a CPU limit',
      { resources: { limits: { cpus: '0.001' } } },
      (result) => result.TaskTemplate.Resources,
      { Limits: { NanoCPUs: 1e6 } },
    ],
    [
      'listed networks after the project network, the project network not twice',
      { networks: ['backend', 'slw-project-999999998888', 'cache'] },
      (result) => result.TaskTemplate.Networks,
      [{ Target: 'slw-project-999999998888', Aliases: ['api'] }, { Target: 'backend' }, { Target: 'cache' }],
    ],
  ])('%s', (_name, config, pick, expected) => {
    expect(pick(spec(config))).toEqual(expected);
  });

  it('passes the entrypoint as Command and the command as Args, element by element, as data', () => {
    const argv = { entrypoint: ['/bin/sh', '-c'], command: ['echo $(id); rm -rf / # not run by any shell here'] };
    const container = spec(argv).TaskTemplate.ContainerSpec;
    expect(container.Command).toEqual(['/bin/sh', '-c']);
    expect(container.Args).toEqual(['echo $(id); rm -rf / # not run by any shell here']);
    expect(spec({ command: ['--port', '8080'] }).TaskTemplate.ContainerSpec).toMatchObject({
      Args: ['--port', '8080'],
    });
    expect(spec({ command: ['--port', '8080'] }).TaskTemplate.ContainerSpec).not.toHaveProperty('Command');
    // Nothing set: the image's own ENTRYPOINT and CMD (no empty lists, which would clear them).
    expect(spec({}).TaskTemplate.ContainerSpec).not.toHaveProperty('Command');
    expect(spec({ entrypoint: [], command: [] }).TaskTemplate.ContainerSpec).not.toHaveProperty('Args');
  });

  it('mounts docker volumes with our labels', () => {
    const result = spec({}, { volumes: [{ name: 'api-data', mountPath: '/var/lib/data', type: 'docker_volume' }] });
    expect(result.TaskTemplate.ContainerSpec.Mounts).toEqual([
      {
        Type: 'volume',
        Source: 'api-data',
        Target: '/var/lib/data',
        VolumeOptions: { NoCopy: false, Labels: labels, DriverConfig: { Name: 'local', Options: {} } },
      },
    ]);
  });

  it.each<[string, Partial<EngineApp>]>([
    ['an nfs volume (no driver options stored yet)', { volumes: [{ name: 'v', mountPath: '/v', type: 'nfs' }] }],
    ['an env name with =', { env: { 'A=B': 'x' } }],
    ['an empty env name', { env: { '': 'x' } }],
    ['a name that is not a DNS label', { name: 'Bad Name' }],
  ])('refuses %s', (_name, extra) => {
    expect(() => spec({}, extra)).toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  it('is pure: the same application gives the same spec', () => {
    const config: DockerConfig = {
      ports: [{ target: 80, protocol: 'tcp', mode: 'ingress' }],
      healthcheck: { test: ['NONE'] },
    };
    expect(spec(config)).toEqual(spec(structuredClone(config)));
  });
});
