// Who may work on a volume, and on what: volume.write on the project, through the application when the volume is to
// be attached to one. A database or volume id the project does not have is the not_found of anything invisible,
// audited like any other refusal; every read is scoped by the authorized project id.
import { requireApplicationAccess } from '@/lib/applications/access';
import { deniedEntry } from '@/lib/audit/refusal';
import type { AuditResourceType } from '@/lib/audit/write';
import type { Action } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { requireProjectAccess, type ProjectAccess } from '@/lib/projects/access';
import type { VolumeOwner } from '@/lib/validation/volume';

import { inProject, VOLUME_SELECT, withOwners, type VolumeView } from './queries';

export const VOLUME_NOT_FOUND = 'This volume does not exist in this project, or you do not have access to it.';
export const DATABASE_NOT_FOUND = 'This database does not exist in this project, or you do not have access to it.';

export type Target = { kind: VolumeOwner['kind']; id: string; name: string };
export type Authorized = { project: ProjectAccess; target: Target | null };

/** volume.write on the project, through the application when attaching to one (archived ones refuse). */
export async function authorizeTarget(
  tx: Tx,
  ctx: WorkContext,
  projectId: string,
  owner: VolumeOwner | null,
): Promise<Authorized> {
  if (owner?.kind === 'application') {
    const app = await requireApplicationAccess(tx, ctx, owner.id, 'volume.write');
    if (app.project.id !== projectId) {
      throw new AppError(
        'conflict',
        `Application ${app.name} belongs to project ${app.project.name}: a volume can only be attached within its own project.`,
        { field: 'owner' },
      );
    }
    if (app.deletedAt) {
      throw new AppError(
        'conflict',
        `Application ${app.name} is archived: restore it before attaching volumes to it.`,
        { field: 'owner' },
      );
    }
    return { project: app.project, target: { kind: 'application', id: app.id, name: app.name } };
  }
  const project = await requireProjectAccess(tx, ctx, projectId, 'volume.write');
  if (!owner) return { project, target: null };
  const db = await tx.database.findFirst({
    where: { id: owner.id, projectId: project.id },
    select: { id: true, name: true },
  });
  if (!db)
    throw deniedIn(
      ctx,
      project,
      'volume.write',
      { resourceType: 'database', resourceId: owner.id },
      DATABASE_NOT_FOUND,
    );
  return { project, target: { kind: 'database', id: db.id, name: db.name } };
}

/** An id this project does not have: not_found, audited as authz.denied like any other invisible thing. */
function deniedIn(
  ctx: WorkContext,
  project: ProjectAccess,
  action: Action,
  on: { resourceType: AuditResourceType; resourceId: string },
  message: string,
) {
  return new AppError('not_found', message, {
    audit: deniedEntry(ctx, { action, ...on, details: { projectId: project.id } }),
  });
}

/** The project's volume with this id, with its owner's name; not_found (audited) when the project has none. */
export async function findVolume(
  tx: Tx,
  ctx: WorkContext,
  project: ProjectAccess,
  volumeId: string,
): Promise<VolumeView> {
  const row = await tx.volume.findFirst({
    where: { AND: [{ id: volumeId }, inProject(project.id)] },
    select: VOLUME_SELECT,
  });
  if (!row)
    throw deniedIn(ctx, project, 'volume.write', { resourceType: 'project', resourceId: project.id }, VOLUME_NOT_FOUND);
  return (await withOwners(tx, project.id, [row]))[0]!;
}
