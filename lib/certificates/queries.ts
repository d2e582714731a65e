// Reading a domain's certificates as the panel shows them: issuer, source, expiry, names, fingerprint, warnings.
// Never the private key, not even its ciphertext: CERTIFICATE_SELECT does not name the column, and every view is
// built from that select. Every read comes after requireDomainAccess and is scoped by the authorized domain id.
import { X509Certificate } from 'node:crypto';

import { can } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import type { Prisma } from '@/lib/generated/prisma/client';

import { requireDomainAccess, type DomainAccess } from './access';
import { certificateWarnings, daysLeft } from './expiry';
import { subjectsOf } from './pem';

/** Earlier certificates of a domain shown below the one in use. */
export const CERTIFICATE_HISTORY_LIMIT = 10;

export const CERTIFICATE_SELECT = {
  id: true,
  issuer: true,
  source: true,
  fingerprint: true,
  certificate: true,
  expiresAt: true,
  createdAt: true,
  checkedAt: true,
  renewalError: true,
} satisfies Prisma.CertificateSelect;
type Row = Prisma.CertificateGetPayload<{ select: typeof CERTIFICATE_SELECT }>;

/** The certificate a domain uses: its newest row (a custom upload, or the proxy's latest issuance). */
export const IN_USE_ORDER = [
  { createdAt: 'desc' },
  { expiresAt: 'desc' },
  { id: 'desc' },
] satisfies Prisma.CertificateOrderByWithRelationInput[];

export type CertificateView = {
  id: string;
  issuer: string;
  source: 'acme' | 'internal' | 'custom';
  fingerprint: string | null;
  subjects: string[];
  expiresAt: Date;
  createdAt: Date;
  checkedAt: Date | null;
  daysLeft: number;
  renewalError: string | null;
  warnings: string[];
};

function subjects(pem: string): string[] {
  try {
    return subjectsOf(new X509Certificate(pem));
  } catch {
    return [];
  }
}

export function toView(row: Row, now: Date): CertificateView {
  const { certificate, ...rest } = row;
  return {
    ...rest,
    source: row.source as CertificateView['source'],
    subjects: subjects(certificate),
    daysLeft: daysLeft(row.expiresAt, now),
    warnings: certificateWarnings(row, now),
  };
}

export type DomainCertificates = {
  domain: DomainAccess;
  /** The certificate in use; null before the proxy has issued one (or when TLS is off). */
  current: CertificateView | null;
  previous: CertificateView[];
  /** Whether the actor may upload or remove a custom certificate (domain.write). */
  canWrite: boolean;
};

export async function getDomainCertificates(
  tx: Tx,
  ctx: WorkContext,
  input: { domainId: string; now?: Date },
): Promise<DomainCertificates> {
  const domain = await requireDomainAccess(tx, ctx, input.domainId, 'project.read');
  const now = input.now ?? new Date();
  const rows = await tx.certificate.findMany({
    where: { domainId: domain.id },
    orderBy: IN_USE_ORDER,
    take: CERTIFICATE_HISTORY_LIMIT + 1,
    select: CERTIFICATE_SELECT,
  });
  const [current, ...previous] = rows.map((row) => toView(row, now));
  return {
    domain,
    current: current ?? null,
    previous,
    canWrite: can(ctx.actor, 'domain.write', domain.project.resource),
  };
}
