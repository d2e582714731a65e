// What every env var function starts with: the application as the actor may use it (through its project), a lock
// so writes to one application take turns, and the audit row (keys only, never values).
import { requireApplicationAccess, type ApplicationAccess } from '@/lib/applications/access';
import { recordAudit } from '@/lib/audit/write';
import type { Action } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';

export const ARCHIVED_MESSAGE = 'This application is archived: restore it in Settings before changing its environment.';

/** The application when the actor may do `action`; a write on an archived one is refused (archives are read-only). */
export async function authorizeEnv(
  tx: Tx,
  ctx: WorkContext,
  applicationId: string,
  action: Action,
): Promise<ApplicationAccess> {
  const app = await requireApplicationAccess(tx, ctx, applicationId, action);
  if (action === 'env.write' && app.deletedAt) throw new AppError('conflict', ARCHIVED_MESSAGE);
  return app;
}

// The mirror trigger updates the application row at the end of each statement anyway; taking that lock first makes
// two saves of one application take turns instead of interleaving (or deadlocking on it).
export async function lockApplication(tx: Tx, applicationId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM applications WHERE id = ${applicationId}::uuid FOR NO KEY UPDATE`;
}

export function auditEnv(
  tx: Tx,
  ctx: WorkContext,
  app: ApplicationAccess,
  action: string,
  details: Record<string, unknown>,
) {
  return recordAudit(tx, {
    userId: ctx.actor.id,
    action,
    resourceType: 'application',
    resourceId: app.id,
    details,
    ...ctx.meta,
  });
}
