// Who may see or change a domain's certificates: the domain is found only through a project the actor can see
// (row-level security on domains and certificates applies too, through the project), and the action is checked
// against that project. A domain of another tenant and a missing one are the same not_found, audited.
import { can, type Action } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { loadProjectAccess, refusal, type ProjectAccess } from '@/lib/projects/access';
import { isUuid } from '@/lib/validation/ids';

export const DOMAIN_NOT_FOUND = 'This domain does not exist, or you do not have access to it.';

export type DomainAccess = {
  id: string;
  /** The name as stored: lowercase, punycode. */
  domain: string;
  targetType: string;
  targetId: string;
  tlsEnabled: boolean;
  project: ProjectAccess;
};

/** The domain as `userId` may see it; null when its project is invisible to them, or it is missing. */
export async function loadDomainAccess(tx: Tx, domainId: string, userId: string): Promise<DomainAccess | null> {
  if (!isUuid(domainId)) return null;
  const row = await tx.domain.findUnique({
    where: { id: domainId },
    select: { id: true, domain: true, targetType: true, targetId: true, tlsEnabled: true, projectId: true },
  });
  if (!row) return null;
  const project = await loadProjectAccess(tx, row.projectId, userId);
  if (!project) return null;
  return {
    id: row.id,
    domain: row.domain,
    targetType: row.targetType,
    targetId: row.targetId,
    tlsEnabled: row.tlsEnabled,
    project,
  };
}

/** The domain when the actor may do `action` in its project (reads: project.read); otherwise an AppError (audited). */
export async function requireDomainAccess(
  tx: Tx,
  ctx: WorkContext,
  domainId: string,
  action: Action,
): Promise<DomainAccess> {
  const domain = await loadDomainAccess(tx, domainId, ctx.actor.id);
  const refused = { action, resourceType: 'domain' as const, resourceId: domainId, notFoundMessage: DOMAIN_NOT_FOUND };
  if (!domain || !can(ctx.actor, 'project.read', domain.project.resource)) throw refusal(ctx, refused, false);
  if (!can(ctx.actor, action, domain.project.resource)) throw refusal(ctx, refused, true);
  return domain;
}
