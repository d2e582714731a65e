// Overlay networks: one per project (its applications find each other by name on it), plus the shared networks an
// application lists. Created labelled; an existing network is used only when its labels prove it is ours.
import type Docker from 'dockerode';

import { dockerMessage, dockerStatus, EngineError } from './errors';
import { isOurs, LABEL, networkName } from './names';

type NetworkSummary = { Id: string; Name: string; Labels?: Record<string, string> };

// Looked up by exact name through the list endpoint: inspecting by name would also match an id prefix.
async function findNetwork(docker: Docker, name: string): Promise<NetworkSummary | undefined> {
  const networks = (await docker.listNetworks({ filters: { name: [name] } })) as NetworkSummary[];
  return networks.find((network) => network.Name === name);
}

// Ours means: carries every label we would have given it.
const carries = (existing: NetworkSummary, labels: Record<string, string>) =>
  isOurs(existing.Labels) && Object.entries(labels).every(([key, value]) => existing.Labels?.[key] === value);

async function ensureOverlay(docker: Docker, name: string, labels: Record<string, string>): Promise<string> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const existing = await findNetwork(docker, name);
    if (existing) {
      if (!carries(existing, labels)) {
        throw new EngineError(
          'not_ours',
          `A network named ${name} already exists but was not made by Slipway for this use; rename or remove it, Slipway will not join it.`,
        );
      }
      return existing.Id;
    }
    try {
      const created = await docker.createNetwork({
        Name: name,
        Driver: 'overlay',
        Attachable: true,
        CheckDuplicate: true,
        Labels: labels,
      });
      return created.id;
    } catch (error) {
      // Another deploy created it between our look-up and create: look again once.
      if (dockerStatus(error) !== 409 || attempt > 0)
        throw new EngineError('invalid', `Could not create network ${name}: ${dockerMessage(error)}`);
    }
  }
  throw new EngineError('invalid', `Could not create network ${name}.`);
}

/** The project's overlay network (attachable, labelled), created on first use; returns its id. */
export function ensureNetwork(docker: Docker, projectId: string): Promise<string> {
  return ensureOverlay(docker, networkName(projectId), { [LABEL.managed]: 'true', [LABEL.project]: projectId });
}

/**
 * A network an application lists by name (docker_config.networks), shared across applications and projects, so it
 * carries the shared label instead of a project's (another project's own network can never be joined this way). A same-named network Slipway did not make is refused, not joined.
 */
export function ensureSharedNetwork(docker: Docker, name: string): Promise<string> {
  return ensureOverlay(docker, name, { [LABEL.managed]: 'true', [LABEL.shared]: 'true' });
}

/** Removes the project's network when it is ours; false when there is none. Docker refuses while services use it. */
export async function removeProjectNetwork(docker: Docker, projectId: string): Promise<boolean> {
  const existing = await findNetwork(docker, networkName(projectId));
  if (!existing) return false;
  if (!isOurs(existing.Labels, { projectId }))
    throw new EngineError('not_ours', `Network ${existing.Name} was not made by Slipway; it is left alone.`);
  try {
    await docker.getNetwork(existing.Id).remove();
  } catch (error) {
    if (dockerStatus(error) === 404) return false;
    throw new EngineError('invalid', `Could not remove network ${existing.Name}: ${dockerMessage(error)}`);
  }
  return true;
}
