// Scale, stop, remove and prune, each found by labels (an application id), never by a name alone.
import type Docker from 'dockerode';

import { type ServiceInfo } from './deploy';
import { dockerMessage, dockerStatus, EngineError } from './errors';
import { imageRepo, isOurs, labelFilters } from './names';

async function ownedServices(docker: Docker, appId: string): Promise<ServiceInfo[]> {
  const services = (await docker.listServices({ filters: { label: labelFilters(appId) } })) as ServiceInfo[];
  // The filter already asks for our labels; checked again because this is what makes removal safe.
  return services.filter((service) => isOurs(service.Spec.Labels, { appId }));
}

/** Sets the replica count of the application's service (no new tasks beyond the count change). */
export async function scaleService(docker: Docker, appId: string, replicas: number): Promise<{ serviceId: string }> {
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new EngineError('invalid', 'Replicas is a whole number, 0 or more.');
  for (let attempt = 0; ; attempt += 1) {
    const [service] = await ownedServices(docker, appId);
    if (!service) throw new EngineError('not_found', 'This application has no service yet: deploy it first.');
    const spec = { ...service.Spec, Mode: { Replicated: { Replicas: replicas } } };
    try {
      await docker.getService(service.ID).update({ _query: { version: service.Version.Index }, _body: spec } as never);
      return { serviceId: service.ID };
    } catch (error) {
      if (/out of sequence/i.test(dockerMessage(error)) && attempt < 3) continue;
      throw new EngineError('invalid', `Swarm refused to scale the service: ${dockerMessage(error)}`);
    }
  }
}

/** Stopping keeps the service (and its spec, for a later start) with no tasks. */
export function stopService(docker: Docker, appId: string): Promise<{ serviceId: string }> {
  return scaleService(docker, appId, 0);
}

/** Removes the application's service; false when it had none. */
export async function removeService(docker: Docker, appId: string): Promise<boolean> {
  const services = await ownedServices(docker, appId);
  for (const service of services) {
    try {
      await docker.getService(service.ID).remove();
    } catch (error) {
      if (dockerStatus(error) !== 404)
        throw new EngineError('invalid', `Could not remove the service: ${dockerMessage(error)}`);
    }
  }
  return services.length > 0;
}

// Swarm keeps the stopped containers of a service's last tasks (task history), and they hold their image. Ours
// (by label) and stopped are removed so the image can go; a running container keeps its image.
async function removeStoppedContainers(docker: Docker, appId: string, imageId: string): Promise<void> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: labelFilters(appId), status: ['created', 'exited', 'dead'] },
  });
  for (const container of containers) {
    if (container.ImageID !== imageId || !isOurs(container.Labels, { appId })) continue;
    await docker
      .getContainer(container.Id)
      .remove()
      .catch((error: unknown) => {
        if (dockerStatus(error) !== 404 && dockerStatus(error) !== 409) throw error;
      });
  }
}

export type PruneResult = { removed: string[]; failed: { ref: string; reason: string }[] };

/**
 * Removes the application's images (found by its labels) except those tagged with one of keepTags, given either as
 * full references or as bare tags of the application's repository. An image still used by a container is kept
 * and reported; images without our labels are never listed, so never touched.
 */
export async function pruneImages(docker: Docker, appId: string, keepTags: string[]): Promise<PruneResult> {
  const repo = imageRepo(appId);
  const keep = new Set(keepTags.map((tag) => (tag.includes(':') ? tag : `${repo}:${tag}`)));
  const images = await docker.listImages({ filters: { label: labelFilters(appId) } });
  const result: PruneResult = { removed: [], failed: [] };
  for (const image of images) {
    if (!isOurs(image.Labels, { appId })) continue;
    const tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
    if (tags.some((tag) => keep.has(tag))) continue;
    // Only our repository's tags are removed: a tag someone added by hand keeps the image alive. Untagging removes
    // the image with its last tag; an image without tags is removed by id.
    const ours = tags.filter((tag) => tag.startsWith(`${repo}:`));
    await removeStoppedContainers(docker, appId, image.Id);
    for (const ref of tags.length ? ours : [image.Id]) {
      try {
        await docker.getImage(ref).remove();
        result.removed.push(ref);
      } catch (error) {
        if (dockerStatus(error) !== 404) result.failed.push({ ref, reason: dockerMessage(error) });
      }
    }
  }
  return result;
}
