// Where an application's service can be reached now, as Swarm reports it: the ports it publishes, with the port
// Swarm picked when the spec left it open. Ingress ports answer on every node of the swarm; a host-mode port answers
// only on the node that runs the task, so each of those carries its node's address.
import type Docker from 'dockerode';

import { inspectOwnedService } from './deploy';
import { serviceName } from './names';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export type PublishedPort = {
  protocol: Protocol;
  /** The container's port. */
  target: number;
  published: number;
  mode: 'ingress' | 'host';
  /** Host mode only: the node that runs the task; `local` when it is the node the panel talks to. */
  node?: { addr: string; local: boolean };
};

type EndpointPort = {
  Protocol?: Protocol;
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: 'ingress' | 'host';
};
type Task = { ID: string; NodeID?: string; Status?: { State?: string; PortStatus?: { Ports?: EndpointPort[] } } };

/** The published ports of the application's service; none when it has no service. */
export async function publishedPorts(docker: Docker, app: { id: string; name: string }): Promise<PublishedPort[]> {
  const name = serviceName(app);
  const info = (await inspectOwnedService(docker, name, app.id)) as { Endpoint?: { Ports?: EndpointPort[] } } | null;
  if (!info) return [];
  const ports: PublishedPort[] = [];
  for (const port of info.Endpoint?.Ports ?? []) {
    if (port.PublishMode === 'ingress' && port.PublishedPort && port.TargetPort) {
      ports.push({
        protocol: port.Protocol ?? 'tcp',
        target: port.TargetPort,
        published: port.PublishedPort,
        mode: 'ingress',
      });
    }
  }
  const tasks = (await docker.listTasks({ filters: { service: [name], 'desired-state': ['running'] } })) as Task[];
  const running = tasks.filter((task) => task.Status?.State === 'running' && task.Status.PortStatus?.Ports?.length);
  if (running.length === 0) return ports;
  const here = ((await docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID;
  const nodes = new Map<string, string>();
  const seen = new Set<string>();
  for (const task of running) {
    const nodeId = task.NodeID ?? '';
    if (!nodes.has(nodeId)) {
      const node = (await docker.getNode(nodeId).inspect()) as { Status?: { Addr?: string } };
      nodes.set(nodeId, node.Status?.Addr ?? '');
    }
    for (const port of task.Status!.PortStatus!.Ports!) {
      if (port.PublishMode !== 'host' || !port.PublishedPort || !port.TargetPort) continue;
      // Docker lists a host-mode port once per address family, and when the engine picks the port it picks one per
      // family: usually the same, but not always (CI saw 32800 and 32803 for one task). One entry per task and
      // container port, the first listed (IPv4).
      const key = `${task.ID}/${port.TargetPort}/${port.Protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ports.push({
        protocol: port.Protocol ?? 'tcp',
        target: port.TargetPort,
        published: port.PublishedPort,
        mode: 'host',
        node: { addr: nodes.get(nodeId)!, local: nodeId === here },
      });
    }
  }
  return ports.sort((a, b) => a.published - b.published || a.protocol.localeCompare(b.protocol));
}
