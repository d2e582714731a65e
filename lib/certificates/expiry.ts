// When a certificate is worth a warning: by the time it has left, never by an assumed lifetime (Let's Encrypt goes
// from 90 days to 64 on 2027-02-10 and 45 on 2028-02-16; a custom certificate may last a year or a week).
export const WARN_DAYS = [21, 7, 1] as const;
export type WarnDays = (typeof WARN_DAYS)[number];

const DAY_MS = 86_400_000;

/** The smallest threshold (21, 7 or 1 days) the time left has reached, or null while more than 21 days remain. */
export function thresholdReached(expiresAt: Date, now: Date): WarnDays | null {
  const left = expiresAt.getTime() - now.getTime();
  let reached: WarnDays | null = null;
  for (const days of WARN_DAYS) if (left <= days * DAY_MS) reached = days;
  return reached;
}

/** Whole days left, rounded down (0 on the last day; negative once expired). */
export function daysLeft(expiresAt: Date, now: Date): number {
  return Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS);
}

/** What the panel says about a certificate, most urgent first; empty when all is well. */
export function certificateWarnings(
  cert: { expiresAt: Date; renewalError: string | null; source: string },
  now: Date,
): string[] {
  const warnings: string[] = [];
  const left = cert.expiresAt.getTime() - now.getTime();
  const renews = cert.source === 'custom' ? 'upload a renewed certificate' : 'the proxy should have renewed it';
  if (left <= 0) warnings.push(`Expired on ${cert.expiresAt.toISOString().slice(0, 10)}: ${renews}.`);
  else {
    const threshold = thresholdReached(cert.expiresAt, now);
    if (threshold !== null) {
      const days = daysLeft(cert.expiresAt, now);
      const when = days === 0 ? 'in less than a day' : `in ${days} day${days === 1 ? '' : 's'}`;
      warnings.push(`Expires ${when} (${cert.expiresAt.toISOString().slice(0, 10)}): ${renews}.`);
    }
  }
  if (cert.renewalError) warnings.push(`Renewal failed: ${cert.renewalError}`);
  return warnings;
}
