// Object-level authorization for an application and everything under it (env vars, volumes, deployments, logs):
// the application is found by id only through a project the user can see, and the action is checked against that
// project. Archived applications are found too (their page offers Restore); callers decide what an archive allows.
import { can, type Action } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { loadProjectAccess, refusal, type ProjectAccess } from '@/lib/projects/access';
import { isUuid } from '@/lib/validation/ids';

export type ApplicationAccess = {
  id: string;
  name: string;
  type: string;
  status: string;
  deletedAt: Date | null;
  project: ProjectAccess;
};

export const APPLICATION_NOT_FOUND = 'This application does not exist, or you do not have access to it.';

/** The application as `userId` may see it; null when its project is invisible to them, or it is missing. */
export async function loadApplicationAccess(
  tx: Tx,
  applicationId: string,
  userId: string,
): Promise<ApplicationAccess | null> {
  if (!isUuid(applicationId)) return null;
  const app = await tx.application.findUnique({
    where: { id: applicationId },
    select: { id: true, name: true, type: true, status: true, deletedAt: true, projectId: true },
  });
  if (!app) return null;
  const project = await loadProjectAccess(tx, app.projectId, userId);
  if (!project) return null;
  return { id: app.id, name: app.name, type: app.type, status: app.status, deletedAt: app.deletedAt, project };
}

/** The application when the actor may do `action` on it; otherwise a AppError (audited). */
export async function requireApplicationAccess(
  tx: Tx,
  ctx: WorkContext,
  applicationId: string,
  action: Action,
): Promise<ApplicationAccess> {
  const app = await loadApplicationAccess(tx, applicationId, ctx.actor.id);
  const refused = {
    action,
    resourceType: 'application' as const,
    resourceId: applicationId,
    notFoundMessage: APPLICATION_NOT_FOUND,
  };
  if (!app || !can(ctx.actor, 'application.read', app.project.resource)) throw refusal(ctx, refused, false);
  if (!can(ctx.actor, action, app.project.resource)) throw refusal(ctx, refused, true);
  return app;
}
