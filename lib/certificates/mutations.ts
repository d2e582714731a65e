// A domain's custom certificate: uploaded (checked by lib/certificates/pem.ts, the key encrypted like every secret,
// stored as source 'custom', which makes it the domain's certificate in use) and removed (the proxy goes back to
// issuing one). Each write is audited on the domain (names, issuer, expiry, fingerprint; never the key) and, once
// committed, asks the proxy to reconcile.
import { recordAudit } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import { isUniqueViolation } from '@/lib/db/errors';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { requestProxySync } from '@/lib/proxy/sync';

import { requireDomainAccess } from './access';
import { checkCustomCertificate } from './pem';
import { encryptPrivateKey, type KeyOptions } from './private-key';
import { CERTIFICATE_SELECT, toView, type CertificateView } from './queries';

export type UploadCertificateInput = { domainId: string; chain: string; key: string };

/** How a write reaches the proxy (requestProxySync unless a caller passes its own), and with which keys. */
export type CertificateOptions = KeyOptions & { notify?: (trigger: string) => void; now?: Date };

async function lockDomain(tx: Tx, domainId: string) {
  await tx.$queryRaw`SELECT 1 FROM domains WHERE id = ${domainId}::uuid FOR NO KEY UPDATE`;
}

/** In the caller's transaction: checks and stores the upload. */
export async function storeCustomCertificate(
  tx: Tx,
  ctx: WorkContext,
  input: UploadCertificateInput,
  options: CertificateOptions = {},
): Promise<CertificateView> {
  const domain = await requireDomainAccess(tx, ctx, input.domainId, 'domain.write');
  const now = options.now ?? new Date();
  const checked = checkCustomCertificate({ chain: input.chain, key: input.key, domain: domain.domain, now });
  await lockDomain(tx, domain.id);
  const same = await tx.certificate.findFirst({
    where: { domainId: domain.id, fingerprint: checked.fingerprint },
    select: { source: true },
  });
  if (same) {
    throw new AppError(
      'conflict',
      same.source === 'custom'
        ? `This certificate is already uploaded for ${domain.domain}.`
        : `The proxy already uses this very certificate for ${domain.domain}: there is nothing to upload.`,
      { field: 'chain' },
    );
  }
  const row = await tx.certificate.create({
    data: {
      domainId: domain.id,
      issuer: checked.issuer,
      certificate: checked.chainPem,
      privateKey: await encryptPrivateKey(options, checked.keyPem),
      expiresAt: checked.expiresAt,
      source: 'custom',
      fingerprint: checked.fingerprint,
      checkedAt: now,
    },
    select: CERTIFICATE_SELECT,
  });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'certificate.upload',
    resourceType: 'domain',
    resourceId: domain.id,
    details: {
      domain: domain.domain,
      issuer: checked.issuer,
      subjects: checked.subjects,
      expiresAt: checked.expiresAt.toISOString(),
      fingerprint: checked.fingerprint,
      projectId: domain.project.id,
    },
    ...ctx.meta,
  });
  return toView(row, now);
}

/** In the caller's transaction: deletes the domain's custom certificates; the proxy's own ones stay. */
export async function deleteCustomCertificates(
  tx: Tx,
  ctx: WorkContext,
  input: { domainId: string },
): Promise<{ removed: number }> {
  const domain = await requireDomainAccess(tx, ctx, input.domainId, 'domain.write');
  await lockDomain(tx, domain.id);
  const rows = await tx.certificate.findMany({
    where: { domainId: domain.id, source: 'custom' },
    select: { id: true, fingerprint: true },
  });
  if (rows.length === 0) {
    throw new AppError('conflict', `${domain.domain} has no custom certificate (it may have been removed meanwhile).`);
  }
  await tx.certificate.deleteMany({ where: { domainId: domain.id, source: 'custom' } });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'certificate.remove',
    resourceType: 'domain',
    resourceId: domain.id,
    details: { domain: domain.domain, fingerprints: rows.map((r) => r.fingerprint), projectId: domain.project.id },
    ...ctx.meta,
  });
  return { removed: rows.length };
}

/** A refusal the database made that a person can act on (two uploads of one certificate at once). */
export function certificateErrorFrom(error: unknown): unknown {
  if (isUniqueViolation(error, 'certificates_domain_id_fingerprint_key')) {
    return new AppError('conflict', 'This certificate is already stored for this domain.', { field: 'chain' });
  }
  return error;
}

/** Uploads a custom certificate as the actor, then asks the proxy to pick it up (after the commit). */
export async function uploadCustomCertificate(
  db: PrismaClient,
  ctx: WorkContext,
  input: UploadCertificateInput,
  options: CertificateOptions = {},
): Promise<CertificateView> {
  const view = await runAsUser(db, ctx, (tx) => storeCustomCertificate(tx, ctx, input, options), certificateErrorFrom);
  (options.notify ?? requestProxySync)('certificate');
  return view;
}

/** Removes the domain's custom certificates as the actor, then asks the proxy to go back to its own. */
export async function removeCustomCertificate(
  db: PrismaClient,
  ctx: WorkContext,
  input: { domainId: string },
  options: Pick<CertificateOptions, 'notify'> = {},
): Promise<{ removed: number }> {
  const result = await runAsUser(db, ctx, (tx) => deleteCustomCertificates(tx, ctx, input));
  (options.notify ?? requestProxySync)('certificate');
  return result;
}
