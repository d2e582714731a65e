// Volumes: created, attached to an application or database of their project, detached, deleted. The spec's
// "APPLICATION → VOLUME RESTRICT (volumes must be explicitly managed)" is the rule throughout: nothing here
// detaches or deletes a volume as a side effect, and deleting one that is attached is refused, naming its owner.
// Authorization comes first in every function (the application for work on an application, else the project),
// then every read and write is scoped by the authorized id (row-level security on volumes, through their project, is
// the second wall; migration 20261203000000). The database
// backs the rules with its CHECKs, the unique name and the volumes_set_project trigger (cross-project attachment).
import type { z } from 'zod';

import { recordAudit } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import { driverCause, isUniqueViolation } from '@/lib/db/errors';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { requireProjectAccess, type ProjectAccess } from '@/lib/projects/access';
import {
  attachVolumeSchema,
  createVolumeSchema,
  mountPathProblem,
  volumeRefSchema,
  type AttachVolumeInput,
  type CreateVolumeInput,
  type VolumeOwner,
  type VolumeRefInput,
} from '@/lib/validation/volume';

import { authorizeTarget, findVolume, type Target } from './access';
import { VOLUME_SELECT, withOwners, type VolumeOwnerView, type VolumeView } from './queries';

export const volumeNameTaken = (name: string) =>
  `A volume named ${name} already exists (volume names are unique on the server).`;

/** "application api", "database main": how messages and the audit log name an owner. */
const ownerLabel = (owner: Pick<VolumeOwnerView, 'kind' | 'name' | 'archived'>) =>
  `${owner.kind} ${owner.name}${owner.archived ? ' (archived)' : ''}`;

// Input is typed already, but the functions are the last door before the database: parse again, and report a
// bad value as a refusal about its field (a mount path of /etc never reaches an INSERT).
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new AppError('invalid', issue.message, { field: String(issue.path[0] ?? 'form') });
}

/**
 * One mount path per container. There is no unique index for it, so the owner's row is locked first: two
 * attachments to the same owner are serialized, and the second one sees the first. FOR NO KEY UPDATE does not
 * block the key-share locks foreign keys take, so deployments and other writers referencing the owner go on.
 */
async function claimMountPath(tx: Tx, target: Target, mountPath: string): Promise<void> {
  if (target.kind === 'application')
    await tx.$queryRaw`SELECT 1 FROM applications WHERE id = ${target.id}::uuid FOR NO KEY UPDATE`;
  else await tx.$queryRaw`SELECT 1 FROM databases WHERE id = ${target.id}::uuid FOR NO KEY UPDATE`;
  const taken = await tx.volume.findFirst({
    where:
      target.kind === 'application' ? { applicationId: target.id, mountPath } : { databaseId: target.id, mountPath },
    select: { name: true },
  });
  if (taken) {
    throw new AppError(
      'conflict',
      `${target.kind === 'application' ? 'Application' : 'Database'} ${target.name} already mounts volume ${taken.name} at ${mountPath}: choose another path, or detach that volume first.`,
      { field: 'mountPath' },
    );
  }
}

const ownerColumns = (target: Target | null) => ({
  applicationId: target?.kind === 'application' ? target.id : null,
  databaseId: target?.kind === 'database' ? target.id : null,
});

/** Audited on the owner while attached (application or database), on the project when detached. */
const auditedOn = (project: ProjectAccess, owner: { kind: VolumeOwner['kind']; id: string } | null) =>
  owner
    ? { resourceType: owner.kind, resourceId: owner.id }
    : { resourceType: 'project' as const, resourceId: project.id };

/** Creates the volume, attached to `owner` (an application or database of the project) or detached in the project. */
export async function createVolume(tx: Tx, ctx: WorkContext, input: CreateVolumeInput): Promise<VolumeView> {
  const data = parse(createVolumeSchema, input);
  const { project, target } = await authorizeTarget(tx, ctx, data.projectId, data.owner);
  // Names are global (Docker's rule): a taken one is reported whoever owns it, as the unique index would. Another
  // tenant's volume is hidden by row-level security, so the database function answers past it (yes or no only).
  const [name] = await tx.$queryRaw<{ taken: boolean }[]>`SELECT volume_name_taken(${data.name}) AS taken`;
  if (name?.taken) {
    throw new AppError('conflict', volumeNameTaken(data.name), { field: 'name' });
  }
  if (target) await claimMountPath(tx, target, data.mountPath);
  const row = await tx.volume.create({
    data: {
      name: data.name,
      type: data.type,
      sizeGb: data.sizeGb,
      mountPath: data.mountPath,
      projectId: project.id,
      ...ownerColumns(target),
    },
    select: VOLUME_SELECT,
  });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'volume.create',
    ...auditedOn(project, target),
    details: {
      volumeId: row.id,
      name: row.name,
      type: row.type,
      sizeGb: row.sizeGb,
      mountPath: row.mountPath,
      projectId: project.id,
    },
    ...ctx.meta,
  });
  return (await withOwners(tx, project.id, [row]))[0]!;
}

/** Attaches a detached volume of the project; a blank mount path keeps the volume's own. */
export async function attachVolume(tx: Tx, ctx: WorkContext, input: AttachVolumeInput): Promise<VolumeView> {
  const data = parse(attachVolumeSchema, input);
  const { project, target } = await authorizeTarget(tx, ctx, data.projectId, data.owner);
  if (!target) throw new AppError('invalid', 'Choose where to attach the volume.', { field: 'owner' });
  const volume = await findVolume(tx, ctx, project, data.volumeId);
  if (volume.owner) {
    throw new AppError(
      'conflict',
      `Volume ${volume.name} is already attached to ${ownerLabel(volume.owner)} at ${volume.mountPath}: detach it first.`,
      { field: 'volumeId' },
    );
  }
  const mountPath = data.mountPath ?? volume.mountPath;
  // The stored path may predate today's rules (a row written with plain SQL): it is checked like a typed one.
  const problem = mountPathProblem(mountPath);
  if (problem) throw new AppError('invalid', problem, { field: 'mountPath' });
  await claimMountPath(tx, target, mountPath);
  const { count } = await tx.volume.updateMany({
    where: { id: volume.id, applicationId: null, databaseId: null },
    data: { ...ownerColumns(target), mountPath },
  });
  if (count === 0)
    throw new AppError('conflict', `Volume ${volume.name} was attached elsewhere meanwhile: reload the page.`);
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'volume.attach',
    ...auditedOn(project, target),
    details: { volumeId: volume.id, name: volume.name, mountPath, projectId: project.id },
    ...ctx.meta,
  });
  return { ...volume, mountPath, owner: { ...target, archived: false } };
}

/** Detaches the volume from its owner; the volume and its data stay, in the project. Archived owners allowed. */
export async function detachVolume(tx: Tx, ctx: WorkContext, input: VolumeRefInput): Promise<VolumeView> {
  const data = parse(volumeRefSchema, input);
  const project = await requireProjectAccess(tx, ctx, data.projectId, 'volume.write');
  const volume = await findVolume(tx, ctx, project, data.volumeId);
  if (!volume.owner) throw new AppError('conflict', `Volume ${volume.name} is not attached to anything.`);
  const owner = volume.owner;
  const { count } = await tx.volume.updateMany({
    where: {
      id: volume.id,
      ...(owner.kind === 'application' ? { applicationId: owner.id } : { databaseId: owner.id }),
    },
    data: { applicationId: null, databaseId: null },
  });
  if (count === 0) throw new AppError('conflict', `Volume ${volume.name} changed meanwhile: reload the page.`);
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'volume.detach',
    ...auditedOn(project, owner),
    details: { volumeId: volume.id, name: volume.name, mountPath: volume.mountPath, projectId: project.id },
    ...ctx.meta,
  });
  return { ...volume, owner: null };
}

/** Deletes a detached volume's row. Refused while attached, naming the owner: data is never dropped implicitly. */
export async function deleteVolume(tx: Tx, ctx: WorkContext, input: VolumeRefInput): Promise<VolumeView> {
  const data = parse(volumeRefSchema, input);
  const project = await requireProjectAccess(tx, ctx, data.projectId, 'volume.write');
  const volume = await findVolume(tx, ctx, project, data.volumeId);
  if (volume.owner) {
    throw new AppError(
      'conflict',
      `Volume ${volume.name} is attached to ${ownerLabel(volume.owner)} at ${volume.mountPath}: detach it first.`,
    );
  }
  // Only the row goes: Slipway does not remove the Docker volume itself (it stays, with its data, on the nodes that
  // have it, labelled as ours).
  const { count } = await tx.volume.deleteMany({ where: { id: volume.id, applicationId: null, databaseId: null } });
  if (count === 0) throw new AppError('conflict', `Volume ${volume.name} was attached meanwhile: reload the page.`);
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'volume.delete',
    resourceType: 'project',
    resourceId: project.id,
    details: { volumeId: volume.id, name: volume.name, type: volume.type, sizeGb: volume.sizeGb },
    ...ctx.meta,
  });
  return volume;
}

/**
 * For runAsUser: what the database refused, as a person can act on it (two people taking one name at once, or
 * the trigger refusing an attachment across projects).
 */
export function volumeErrorFrom(error: unknown): unknown {
  if (isUniqueViolation(error, 'volumes_name_key')) {
    return new AppError('conflict', 'A volume with this name already exists (volume names are unique on the server).', {
      field: 'name',
    });
  }
  const cause = driverCause(error);
  if (cause?.originalCode === '23514' && cause.originalMessage?.includes('belongs to another project')) {
    return new AppError('conflict', 'A volume can only be attached within its own project.', { field: 'owner' });
  }
  return error;
}
