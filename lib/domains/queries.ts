// Reading domains as the Domains tab shows them: each with its Unicode name, where it redirects, whether the proxy
// serves it as it is now, and its newest certificate's issuer and expiry (never the certificate or its key). Every
// read comes after requireProjectAccess/requireApplicationAccess and is scoped by the authorized id; row-level security
// on domains and certificates (through the project) is the second wall. Lists are bounded and use the
// (target_type, target_id), project_id and certificates.domain_id indexes.
import { requireApplicationAccess, type ApplicationAccess } from '@/lib/applications/access';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import type { Prisma } from '@/lib/generated/prisma/client';
import { requireProjectAccess, type ProjectAccess } from '@/lib/projects/access';
import { displayHostname } from '@/lib/validation/hostname';

/** A page shows at most this many domains; `truncated` says when there were more. */
export const DOMAIN_LIST_LIMIT = 500;

export type DomainStatus = 'serving' | 'pending';
export type DomainCertificateView = { issuer: string; source: string; expiresAt: Date };
export type DomainView = {
  id: string;
  /** As stored: lower-case ASCII, punycode labels. */
  domain: string;
  /** As a person reads it: Unicode labels (the same as `domain` when it has no punycode). */
  display: string;
  targetType: string;
  targetId: string;
  pathPrefix: string;
  /** Null: the target's first port. */
  containerPort: number | null;
  tlsEnabled: boolean;
  redirectTo: { id: string; domain: string; display: string } | null;
  /** serving: the proxy's last load carried the row as it is now (routed_at >= updated_at); pending otherwise. */
  status: DomainStatus;
  updatedAt: Date;
  routedAt: Date | null;
  createdAt: Date;
  certificate: DomainCertificateView | null;
};

export const DOMAIN_SELECT = {
  id: true,
  domain: true,
  targetType: true,
  targetId: true,
  pathPrefix: true,
  containerPort: true,
  tlsEnabled: true,
  redirectToId: true,
  updatedAt: true,
  routedAt: true,
  createdAt: true,
} satisfies Prisma.DomainSelect;
export type DomainRow = Prisma.DomainGetPayload<{ select: typeof DOMAIN_SELECT }>;

export const statusOf = (row: Pick<DomainRow, 'routedAt' | 'updatedAt'>): DomainStatus =>
  row.routedAt !== null && row.routedAt >= row.updatedAt ? 'serving' : 'pending';

/** Each domain's newest certificate, one indexed read (DISTINCT ON over certificates_domain_id_idx). */
async function newestCertificates(tx: Tx, domainIds: string[]): Promise<Map<string, DomainCertificateView>> {
  if (domainIds.length === 0) return new Map();
  const rows = await tx.$queryRaw<{ domain_id: string; issuer: string; source: string; expires_at: Date }[]>`
    SELECT DISTINCT ON (domain_id) domain_id, issuer, source, expires_at
      FROM certificates
     WHERE domain_id = ANY(${domainIds}::uuid[])
     ORDER BY domain_id, created_at DESC, id DESC`;
  return new Map(
    rows.map((row) => [row.domain_id, { issuer: row.issuer, source: row.source, expiresAt: row.expires_at }]),
  );
}

/** Rows as views: redirect targets named (looked up in the project when not among the rows), certificates added. */
export async function toViews(tx: Tx, projectId: string, rows: DomainRow[]): Promise<DomainView[]> {
  const names = new Map(rows.map((row) => [row.id, row.domain]));
  const missing = [...new Set(rows.flatMap((row) => (row.redirectToId ? [row.redirectToId] : [])))].filter(
    (id) => !names.has(id),
  );
  if (missing.length) {
    const targets = await tx.domain.findMany({
      where: { id: { in: missing }, projectId },
      select: { id: true, domain: true },
    });
    for (const target of targets) names.set(target.id, target.domain);
  }
  const certificates = await newestCertificates(
    tx,
    rows.map((row) => row.id),
  );
  return rows.map(({ redirectToId, ...row }) => {
    const target = redirectToId ? names.get(redirectToId) : undefined;
    return {
      ...row,
      display: displayHostname(row.domain),
      redirectTo:
        redirectToId && target ? { id: redirectToId, domain: target, display: displayHostname(target) } : null,
      status: statusOf(row),
      certificate: certificates.get(row.id) ?? null,
    };
  });
}

const ORDER = [{ domain: 'asc' }, { id: 'asc' }] satisfies Prisma.DomainOrderByWithRelationInput[];

async function bounded(tx: Tx, projectId: string, where: Prisma.DomainWhereInput) {
  const rows = await tx.domain.findMany({
    where: { ...where, projectId },
    orderBy: ORDER,
    take: DOMAIN_LIST_LIMIT + 1,
    select: DOMAIN_SELECT,
  });
  return {
    domains: await toViews(tx, projectId, rows.slice(0, DOMAIN_LIST_LIMIT)),
    truncated: rows.length > DOMAIN_LIST_LIMIT,
  };
}

export type ApplicationDomains = { app: ApplicationAccess; domains: DomainView[]; truncated: boolean };

export async function listDomainsForApplication(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string },
): Promise<ApplicationDomains> {
  const app = await requireApplicationAccess(tx, ctx, input.applicationId, 'application.read');
  return { app, ...(await bounded(tx, app.project.id, { targetType: 'application', targetId: app.id })) };
}

export type ProjectDomains = { project: ProjectAccess; domains: DomainView[]; truncated: boolean };

export async function listDomainsForProject(
  tx: Tx,
  ctx: WorkContext,
  input: { projectId: string },
): Promise<ProjectDomains> {
  const project = await requireProjectAccess(tx, ctx, input.projectId, 'project.read');
  return { project, ...(await bounded(tx, project.id, {})) };
}
