// Who may change a project's domains, and route them where: domain.write on the project, through the application
// when the target is one (an archived application takes no new domains). A target or domain id the project does not
// have is the not_found of anything invisible, audited like any other refusal; every read is scoped by the authorized
// project id.
import { requireApplicationAccess } from '@/lib/applications/access';
import { deniedEntry } from '@/lib/audit/refusal';
import type { AuditResourceType } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { requireProjectAccess, type ProjectAccess } from '@/lib/projects/access';
import type { DomainTargetType } from '@/lib/validation/domain';

import { DOMAIN_SELECT, type DomainRow } from './queries';

export const DOMAIN_NOT_FOUND = 'This domain does not exist in this project, or you do not have access to it.';
export const DATABASE_NOT_FOUND = 'This database does not exist in this project, or you do not have access to it.';

export type DomainTarget = { kind: DomainTargetType; id: string; name: string };
export type AuthorizedTarget = { project: ProjectAccess; target: DomainTarget };

/** An id this project does not have: not_found, audited as authz.denied like any other invisible thing. */
function deniedIn(
  ctx: WorkContext,
  project: ProjectAccess,
  on: { resourceType: AuditResourceType; resourceId: string },
  message: string,
) {
  return new AppError('not_found', message, {
    audit: deniedEntry(ctx, { action: 'domain.write', ...on, details: { projectId: project.id } }),
  });
}

/** domain.write on the project, through the application when routing to one; the target must be of the project. */
export async function authorizeTarget(
  tx: Tx,
  ctx: WorkContext,
  projectId: string,
  target: { kind: DomainTargetType; id: string },
): Promise<AuthorizedTarget> {
  if (target.kind === 'application') {
    const app = await requireApplicationAccess(tx, ctx, target.id, 'domain.write');
    if (app.project.id !== projectId) {
      throw new AppError(
        'conflict',
        `Application ${app.name} belongs to project ${app.project.name}: a domain can only route within its own project.`,
        { field: 'targetId' },
      );
    }
    if (app.deletedAt) {
      throw new AppError('conflict', `Application ${app.name} is archived: restore it before adding domains to it.`, {
        field: 'targetId',
      });
    }
    return { project: app.project, target: { kind: 'application', id: app.id, name: app.name } };
  }
  const project = await requireProjectAccess(tx, ctx, projectId, 'domain.write');
  const db = await tx.database.findFirst({
    where: { id: target.id, projectId: project.id },
    select: { id: true, name: true },
  });
  if (!db) throw deniedIn(ctx, project, { resourceType: 'database', resourceId: target.id }, DATABASE_NOT_FOUND);
  return { project, target: { kind: 'database', id: db.id, name: db.name } };
}

/**
 * The project's domain with this id, its row locked (FOR NO KEY UPDATE) so an edit and a removal, or two edits of
 * redirects, are serialized; not_found (audited) when the project has none.
 */
export async function findDomain(
  tx: Tx,
  ctx: WorkContext,
  project: ProjectAccess,
  domainId: string,
): Promise<DomainRow> {
  await tx.$queryRaw`SELECT 1 FROM domains WHERE id = ${domainId}::uuid AND project_id = ${project.id}::uuid FOR NO KEY UPDATE`;
  const row = await tx.domain.findFirst({ where: { id: domainId, projectId: project.id }, select: DOMAIN_SELECT });
  if (!row) throw deniedIn(ctx, project, { resourceType: 'domain', resourceId: domainId }, DOMAIN_NOT_FOUND);
  return row;
}

/** domain.write on the domain's project, then the domain itself. */
export async function requireDomain(
  tx: Tx,
  ctx: WorkContext,
  input: { projectId: string; domainId: string },
): Promise<{ project: ProjectAccess; domain: DomainRow }> {
  const project = await requireProjectAccess(tx, ctx, input.projectId, 'domain.write');
  return { project, domain: await findDomain(tx, ctx, project, input.domainId) };
}
