// Object-level authorization for everything that lives in a project. One read, as the user (row-level security on
// projects applies too), gives the project's owner, team and the reader's own team role: the Resource can() needs.
// A project the user cannot see and one that does not exist are the same answer (not_found), so ids reveal nothing.
import { deniedEntry } from '@/lib/audit/refusal';
import type { AuditResourceType } from '@/lib/audit/write';
import { can, PERMISSIONS, type Action, type ResourceOf, type TeamRole } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/validation/ids';

export type ProjectAccess = {
  id: string;
  name: string;
  ownerId: string;
  teamId: string | null;
  teamRole: TeamRole | null;
  resource: ResourceOf<'project'>;
};

export const PROJECT_NOT_FOUND = 'This project does not exist, or you do not have access to it.';

/** The project as `userId` may see it; null when invisible to them or missing. */
export async function loadProjectAccess(tx: Tx, projectId: string, userId: string): Promise<ProjectAccess | null> {
  if (!isUuid(projectId) || !isUuid(userId)) return null;
  const row = await tx.project.findFirst({
    where: { id: projectId, OR: [{ ownerId: userId }, { team: { members: { some: { userId } } } }] },
    select: {
      id: true,
      name: true,
      ownerId: true,
      teamId: true,
      team: { select: { members: { where: { userId }, select: { role: true } } } },
    },
  });
  if (!row) return null;
  const teamRole = (row.team?.members[0]?.role as TeamRole | undefined) ?? null;
  return {
    id: row.id,
    name: row.name,
    ownerId: row.ownerId,
    teamId: row.teamId,
    teamRole,
    resource: { type: 'project', ownerId: row.ownerId, teamId: row.teamId, teamRole },
  };
}

export type Refused = {
  action: Action;
  resourceType: AuditResourceType;
  resourceId: string | null;
  notFoundMessage: string;
};

/** The refusal (audited as authz.denied): not_found when the thing is invisible, forbidden when only the action is. */
export function refusal(ctx: WorkContext, refused: Refused, visible: boolean): AppError {
  const audit = deniedEntry(ctx, refused);
  return visible
    ? new AppError(
        'forbidden',
        ctx.actor.disabled
          ? 'This account is disabled.'
          : `You are not allowed to ${PERMISSIONS[refused.action].what}.`,
        { audit },
      )
    : new AppError('not_found', refused.notFoundMessage, { audit });
}

/** The project when the actor may do `action` in it; otherwise a AppError (audited). */
export async function requireProjectAccess(
  tx: Tx,
  ctx: WorkContext,
  projectId: string,
  action: Action,
): Promise<ProjectAccess> {
  const project = await loadProjectAccess(tx, projectId, ctx.actor.id);
  const refused = {
    action,
    resourceType: 'project' as const,
    resourceId: projectId,
    notFoundMessage: PROJECT_NOT_FOUND,
  };
  if (!project || !can(ctx.actor, 'project.read', project.resource)) throw refusal(ctx, refused, false);
  if (!can(ctx.actor, action, project.resource)) throw refusal(ctx, refused, true);
  return project;
}
