// The Docker connection. The caller reads DOCKER_HOST (lib/env.ts) and passes it in; nothing here reads process.env.
import Docker from 'dockerode';

import { dockerMessage, EngineError } from './errors';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Dockerode options for a DOCKER_HOST-style address: `unix:///path`, `tcp://host:port` or `http(s)://host:port`. */
export function dockerOptions(host?: string): Docker.DockerOptions {
  if (host === undefined || host.trim() === '') return { socketPath: DEFAULT_SOCKET };
  const value = host.trim();
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/'))
      throw new EngineError(
        'invalid',
        `DOCKER_HOST “${value}” needs an absolute socket path, like unix:///var/run/docker.sock.`,
      );
    return { socketPath };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EngineError(
      'invalid',
      `DOCKER_HOST “${value.slice(0, 80)}” is not an address. Use unix:///var/run/docker.sock or tcp://host:2375.`,
    );
  }
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol) || !url.hostname) {
    throw new EngineError(
      'invalid',
      `DOCKER_HOST “${value.slice(0, 80)}” is not supported. Use unix:///path/to/docker.sock or tcp://host:port.`,
    );
  }
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (protocol === 'https' ? 2376 : 2375) : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, protocol };
}

export function connectDocker({ host }: { host?: string } = {}): Docker {
  return new Docker(dockerOptions(host));
}

/** Throws unless the engine answers and is a Swarm manager (services can only be created on a manager). */
export async function assertSwarmManager(docker: Docker): Promise<void> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  try {
    info = await docker.info();
  } catch (error) {
    throw new EngineError(
      'docker_unavailable',
      `The Docker engine did not answer (${dockerMessage(error)}). Is dockerd running, and is DOCKER_HOST right?`,
    );
  }
  if (info.Swarm?.ControlAvailable) return;
  const state = info.Swarm?.LocalNodeState || 'inactive';
  throw new EngineError(
    'not_swarm_manager',
    state === 'active'
      ? 'This Docker engine is a Swarm worker, not a manager: point DOCKER_HOST at a manager node, or promote this node with `docker node promote`.'
      : `This Docker engine is not a Swarm manager (swarm: ${state}): run \`docker swarm init\` on it first, or point DOCKER_HOST at a manager.`,
  );
}
