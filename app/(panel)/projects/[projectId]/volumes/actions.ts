'use server';

// Volumes, for the project's Volumes page and every application's Volumes tab (the forms post here from both). Each
// lib/volumes function authorizes against the project or the application, writes and audits in one transaction;
// formAction does the steps around it.
import { formAction, type Revalidation } from '@/lib/actions/form-action';
import { attachVolumeSchema, createVolumeSchema, ownerValue, volumeRefSchema } from '@/lib/validation/volume';
import { attachVolume, createVolume, deleteVolume, detachVolume, volumeErrorFrom } from '@/lib/volumes/mutations';
import { type VolumeView } from '@/lib/volumes/queries';

// A volume shows on its project's page and on the Volumes tab of whichever application mounts (or mounted) it.
const projectPages = ({ projectId }: { projectId: string }): Revalidation[] => [[`/projects/${projectId}`, 'layout']];

const mountedBy = (volume: VolumeView) =>
  volume.owner ? `${volume.owner.kind} ${volume.owner.name} at ${volume.mountPath}` : 'nothing';

export const createVolumeAction = formAction({
  schema: createVolumeSchema,
  keys: ['projectId', 'owner', 'name', 'type', 'sizeGb', 'mountPath'],
  run: (tx, ctx, { owner, ...input }) => createVolume(tx, ctx, { ...input, owner: owner ? ownerValue(owner) : null }),
  translate: volumeErrorFrom,
  revalidate: projectPages,
  success: (volume) =>
    volume.owner
      ? `Volume ${volume.name} created and attached to ${mountedBy(volume)}.`
      : `Volume ${volume.name} created (detached).`,
});

export const attachVolumeAction = formAction({
  schema: attachVolumeSchema,
  keys: ['projectId', 'volumeId', 'owner', 'mountPath'],
  run: (tx, ctx, { owner, ...input }) => attachVolume(tx, ctx, { ...input, owner: owner ? ownerValue(owner) : null }),
  translate: volumeErrorFrom,
  revalidate: projectPages,
  success: (volume) => `Volume ${volume.name} attached to ${mountedBy(volume)}.`,
});

export const detachVolumeAction = formAction({
  schema: volumeRefSchema,
  keys: ['projectId', 'volumeId'],
  run: detachVolume,
  translate: volumeErrorFrom,
  revalidate: projectPages,
  success: (volume, _, values) => ({
    message: `Volume ${volume.name} detached. It stays in the project, with its data, until you delete it.`,
    values,
  }),
});

export const deleteVolumeAction = formAction({
  schema: volumeRefSchema,
  keys: ['projectId', 'volumeId'],
  run: deleteVolume,
  translate: volumeErrorFrom,
  revalidate: projectPages,
  success: (volume, _, values) => ({ message: `Volume ${volume.name} deleted.`, values }),
});
