// The expiry watcher: renewal is the proxy's, watching is ours. For the certificate each domain uses (its newest row),
// one audit entry per threshold crossed (21, 7 and 1 days before expiry, by time left only: no lifetime is assumed)
// and one when a renewal failed (renewal_error set, once per error text). warned_days records the smallest threshold
// warned of, read and moved under a row lock with the entries in the same transaction, so a re-run, or two panels
// running the job at once, never repeat a warning. The panel's periodic loop calls watchCertificateExpiry.
import { recordAudit } from '@/lib/audit/write';
import { asSystem, type Tx } from '@/lib/db/context';
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { daysLeft, thresholdReached, WARN_DAYS } from './expiry';

export const EXPIRY_WARNING = 'certificate.expiry_warning';
export const RENEWAL_FAILED = 'certificate.renewal_failed';

type InUse = {
  id: string;
  domain_id: string;
  domain: string;
  issuer: string;
  source: string;
  fingerprint: string | null;
  expires_at: Date;
  warned_days: number | null;
  renewal_error: string | null;
};

export type WatchResult = {
  /** Certificates looked at (one per domain that has any). */
  checked: number;
  warnings: { domain: string; days: number }[];
  renewalFailures: { domain: string; error: string }[];
};

async function inUse(tx: Tx): Promise<InUse[]> {
  return tx.$queryRaw<InUse[]>`
    SELECT DISTINCT ON (c.domain_id) c.id, c.domain_id, d.domain, c.issuer, c.source, c.fingerprint, c.expires_at,
           c.warned_days, c.renewal_error
      FROM certificates c JOIN domains d ON d.id = c.domain_id
     ORDER BY c.domain_id, c.created_at DESC, c.expires_at DESC, c.id DESC`;
}

const about = (cert: InUse, now: Date) => ({
  domain: cert.domain,
  certificateId: cert.id,
  issuer: cert.issuer,
  source: cert.source,
  fingerprint: cert.fingerprint,
  expiresAt: cert.expires_at.toISOString(),
  daysLeft: daysLeft(cert.expires_at, now),
});

async function warnExpiry(tx: Tx, cert: InUse, now: Date, result: WatchResult): Promise<void> {
  const reached = thresholdReached(cert.expires_at, now);
  if (reached === null) return;
  if (cert.warned_days !== null && cert.warned_days <= reached) return;
  await tx.$executeRaw`UPDATE certificates SET warned_days = ${reached} WHERE id = ${cert.id}::uuid`;
  const crossed = WARN_DAYS.filter((days) => days >= reached && (cert.warned_days === null || days < cert.warned_days));
  for (const days of crossed) {
    await recordAudit(tx, {
      userId: null,
      action: EXPIRY_WARNING,
      resourceType: 'domain',
      resourceId: cert.domain_id,
      details: { ...about(cert, now), days },
    });
    result.warnings.push({ domain: cert.domain, days });
  }
}

async function warnRenewal(tx: Tx, cert: InUse, now: Date, result: WatchResult): Promise<void> {
  const error = cert.renewal_error;
  if (!error) return;
  const [given] = await tx.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM audit_logs
     WHERE resource_type = 'domain' AND resource_id = ${cert.domain_id}::uuid AND action = ${RENEWAL_FAILED}
       AND details->>'certificateId' = ${cert.id} AND details->>'error' = ${error}`;
  if (Number(given?.n ?? 0) > 0) return;
  await recordAudit(tx, {
    userId: null,
    action: RENEWAL_FAILED,
    resourceType: 'domain',
    resourceId: cert.domain_id,
    details: { ...about(cert, now), error },
  });
  result.renewalFailures.push({ domain: cert.domain, error });
}

/** One pass over every domain's certificate in use, as the system; `now` for tests. */
export async function watchCertificateExpiry(
  db: PrismaClient,
  { now = new Date() }: { now?: Date } = {},
): Promise<WatchResult> {
  const result: WatchResult = { checked: 0, warnings: [], renewalFailures: [] };
  const certs = await asSystem(db, inUse);
  for (const cert of certs) {
    await asSystem(db, async (tx) => {
      // The row as it is now, locked: another watcher's pass on it waits, then sees what this one recorded.
      const [fresh] = await tx.$queryRaw<Pick<InUse, 'warned_days' | 'renewal_error'>[]>`
        SELECT warned_days, renewal_error FROM certificates WHERE id = ${cert.id}::uuid FOR NO KEY UPDATE`;
      if (!fresh) return;
      Object.assign(cert, fresh);
      await warnExpiry(tx, cert, now, result);
      await warnRenewal(tx, cert, now, result);
      await tx.$executeRaw`UPDATE certificates SET checked_at = ${now} WHERE id = ${cert.id}::uuid`;
    });
    result.checked += 1;
  }
  return result;
}
