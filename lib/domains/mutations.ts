// Domains: added to an application or database of their project (optionally with their www <-> apex partner as a
// redirect to them, in the same transaction), edited (path prefix, container port, TLS, redirect target), removed
// (with the redirects to them: the redirect_to_id foreign key cascades). Authorization comes first in every function,
// then every read and write is scoped by the authorized project id (row-level security on domains, through their
// project, is the second wall). Names are unique on the server: a taken one is refused the same way whoever holds it,
// and never says who (domain_name_taken answers past row-level security with a yes or no; docs/decisions.md D77).
// updated_at moves on every edit, so the row reads "pending" until the proxy has loaded it as it is now.
import type { z } from 'zod';

import { recordAudit } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import { driverCause, isUniqueViolation } from '@/lib/db/errors';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { ProjectAccess } from '@/lib/projects/access';
import { requestProxySync } from '@/lib/proxy/sync';
import {
  addDomainSchema,
  domainRefSchema,
  updateDomainSchema,
  type AddDomainInput,
  type DomainRefInput,
  type UpdateDomainInput,
} from '@/lib/validation/domain';
import { displayHostname, partnerHostname } from '@/lib/validation/hostname';

import { authorizeTarget, findDomain, requireDomain } from './access';
import { DOMAIN_SELECT, toViews, type DomainRow, type DomainView } from './queries';

/** Said of a name held anywhere on the server, this project or another: nothing about the holder. */
export const domainTaken = (ascii: string) => {
  const shown = displayHostname(ascii);
  const name = shown === ascii ? ascii : `${shown} (${ascii})`;
  return `${name} is already in use on this server: a domain can be added once. Choose another name, or remove it where it is used first.`;
};

// Input is typed already, but the functions are the last door before the database: parse again, and report a bad
// value as a refusal about its field.
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new AppError('invalid', issue.message, { field: String(issue.path[0] ?? 'form') });
}

async function refuseTaken(tx: Tx, ascii: string, field: string): Promise<void> {
  const [row] = await tx.$queryRaw<{ taken: boolean; panel: boolean }[]>`
    SELECT domain_name_taken(${ascii}) AS taken,
           EXISTS (SELECT 1 FROM panel_settings WHERE id AND panel_domain = ${ascii}) AS panel`;
  if (row?.taken) throw new AppError('conflict', domainTaken(ascii), { field });
  // The panel's own domain (Settings → Certificates) routes to the panel: an application cannot have it too.
  if (row?.panel)
    throw new AppError('conflict', `${ascii} is this panel's own domain: choose another name for the application.`, {
      field,
    });
}

const auditedOn = (row: Pick<DomainRow, 'targetType' | 'targetId'>) => ({
  resourceType: row.targetType as 'application' | 'database',
  resourceId: row.targetId,
});

export type AddedDomain = { domain: DomainView; partner: DomainView | null };

/** Adds the domain to an application or database of the project; `withPartner` also adds its www/apex redirect. */
export async function addDomain(tx: Tx, ctx: WorkContext, input: AddDomainInput): Promise<AddedDomain> {
  const data = parse(addDomainSchema, input);
  const { project, target } = await authorizeTarget(tx, ctx, data.projectId, {
    kind: data.targetType,
    id: data.targetId,
  });
  await refuseTaken(tx, data.domain, 'domain');
  const partnerName = data.withPartner ? partnerHostname(data.domain) : null;
  if (data.withPartner && !partnerName) {
    throw new AppError(
      'invalid',
      data.domain.startsWith('*.')
        ? 'A wildcard domain has no www or apex partner: untick “Also redirect www/apex here”.'
        : `${displayHostname(data.domain)} has no apex to redirect: untick “Also redirect www/apex here”.`,
      { field: 'withPartner' },
    );
  }
  if (partnerName) await refuseTaken(tx, partnerName, 'withPartner');
  const common = { projectId: project.id, targetType: target.kind, targetId: target.id, tlsEnabled: data.tlsEnabled };
  const row = await tx.domain.create({
    data: { ...common, domain: data.domain, pathPrefix: data.pathPrefix, containerPort: data.containerPort },
    select: DOMAIN_SELECT,
  });
  // The partner answers every path with a 308 to the new name, so its own prefix and port are the defaults.
  const partner = partnerName
    ? await tx.domain.create({ data: { ...common, domain: partnerName, redirectToId: row.id }, select: DOMAIN_SELECT })
    : null;
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'domain.create',
    ...auditedOn(row),
    details: {
      domainId: row.id,
      domain: row.domain,
      pathPrefix: row.pathPrefix,
      containerPort: row.containerPort,
      tlsEnabled: row.tlsEnabled,
      partner: partner ? { domainId: partner.id, domain: partner.domain } : null,
      projectId: project.id,
    },
    ...ctx.meta,
  });
  const [domain, partnerView] = await toViews(tx, project.id, partner ? [row, partner] : [row]);
  return { domain: domain!, partner: partnerView ?? null };
}

/** A redirect target must be another domain of the same target that serves (is not a redirect itself). */
async function checkRedirect(tx: Tx, ctx: WorkContext, project: ProjectAccess, domain: DomainRow, toId: string) {
  const projectId = project.id;
  if (toId === domain.id) {
    throw new AppError('invalid', 'A domain cannot redirect to itself: choose another domain, or none.', {
      field: 'redirectToId',
    });
  }
  // Locked like the edited row: an edit of the target (making it a redirect) waits for this one, or this for it.
  const to = await findDomain(tx, ctx, project, toId);
  if (to.targetType !== domain.targetType || to.targetId !== domain.targetId) {
    throw new AppError('invalid', 'Choose a domain of this application to redirect to.', { field: 'redirectToId' });
  }
  if (to.redirectToId) {
    throw new AppError(
      'invalid',
      `${displayHostname(to.domain)} redirects itself: choose the domain it redirects to, so one hop reaches it.`,
      { field: 'redirectToId' },
    );
  }
  const incoming = await tx.domain.findFirst({
    where: { redirectToId: domain.id, projectId },
    select: { domain: true },
  });
  if (incoming) {
    throw new AppError(
      'invalid',
      `${displayHostname(incoming.domain)} redirects to ${displayHostname(domain.domain)}: point it elsewhere or remove it before making this domain a redirect.`,
      { field: 'redirectToId' },
    );
  }
}

/** Edits where the domain routes: path prefix, container port, TLS, and the domain it redirects to (null: none). */
export async function updateDomain(tx: Tx, ctx: WorkContext, input: UpdateDomainInput): Promise<DomainView> {
  const data = parse(updateDomainSchema, input);
  const { project, domain } = await requireDomain(tx, ctx, data);
  if (data.redirectToId) await checkRedirect(tx, ctx, project, domain, data.redirectToId);
  const row = await tx.domain.update({
    where: { id: domain.id, projectId: project.id },
    data: {
      pathPrefix: data.pathPrefix,
      containerPort: data.containerPort,
      tlsEnabled: data.tlsEnabled,
      redirectToId: data.redirectToId,
      updatedAt: new Date(),
    },
    select: DOMAIN_SELECT,
  });
  const changed = (['pathPrefix', 'containerPort', 'tlsEnabled', 'redirectToId'] as const).filter(
    (key) => row[key] !== domain[key],
  );
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'domain.update',
    ...auditedOn(row),
    details: {
      domainId: row.id,
      domain: row.domain,
      changed: Object.fromEntries(changed.map((key) => [key, { from: domain[key], to: row[key] }])),
      projectId: project.id,
    },
    ...ctx.meta,
  });
  return (await toViews(tx, project.id, [row]))[0]!;
}

/** Removes the domain and every domain that redirects to it (their foreign key cascades); returns the names gone. */
export async function removeDomain(tx: Tx, ctx: WorkContext, input: DomainRefInput): Promise<{ removed: string[] }> {
  const data = parse(domainRefSchema, input);
  const { project, domain } = await requireDomain(tx, ctx, data);
  const redirects = await tx.domain.findMany({
    where: { redirectToId: domain.id, projectId: project.id },
    select: { id: true, domain: true },
    take: 100,
  });
  const { count } = await tx.domain.deleteMany({ where: { id: domain.id, projectId: project.id } });
  if (count === 0)
    throw new AppError('conflict', `${displayHostname(domain.domain)} was removed meanwhile: reload the page.`);
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'domain.delete',
    ...auditedOn(domain),
    details: {
      domainId: domain.id,
      domain: domain.domain,
      redirects: redirects.map((r) => ({ domainId: r.id, domain: r.domain })),
      projectId: project.id,
    },
    ...ctx.meta,
  });
  return { removed: [domain.domain, ...redirects.map((r) => r.domain)] };
}

/**
 * For runAsUser: what the database refused, as a person can act on it. Two people adding one name at once: the
 * unique index answers, said like the check before it (nothing about the holder).
 */
export function domainErrorFrom(error: unknown): unknown {
  if (isUniqueViolation(error, 'domains_domain_key')) {
    return new AppError(
      'conflict',
      'That domain is already in use on this server: a domain can be added once. Choose another name, or remove it where it is used first.',
      { field: 'domain' },
    );
  }
  const cause = driverCause(error);
  if (cause?.originalCode === '23514' && cause.originalMessage?.includes('check_domain')) {
    return new AppError('invalid', 'The database refused this domain: reload the page and check each field.');
  }
  return error;
}

export type DomainChangeOptions = { notify?: (trigger: string) => void };

/**
 * Runs a change of domains as the user, then asks the proxy to load it. After the commit, so the reconciler the
 * NOTIFY wakes reads the change; a failed change asks nothing.
 */
export async function changeDomains<T>(
  db: PrismaClient,
  ctx: WorkContext,
  work: (tx: Tx) => Promise<T>,
  options: DomainChangeOptions = {},
): Promise<T> {
  const result = await runAsUser(db, ctx, work, domainErrorFrom);
  (options.notify ?? requestProxySync)('domain');
  return result;
}
