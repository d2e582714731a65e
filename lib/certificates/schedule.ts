// The certificates' periodic job, for the panel's start-up to call once: record what the proxy issued (when its
// storage is known), then warn about expiries and failed renewals; at once, then every `everyMs`. The timer never
// holds the process; a failed pass is logged and the next one tries again.
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { collectProxyCertificates, type CollectResult } from './collect';
import { watchCertificateExpiry, type WatchResult } from './watch';

export const CERTIFICATE_JOB_EVERY_MS = 10 * 60_000;

export type CertificatePass = { collected: CollectResult | null; watched: WatchResult };

export async function runCertificateJob(
  db: PrismaClient,
  { storageRoot, now }: { storageRoot?: string | null; now?: Date } = {},
): Promise<CertificatePass> {
  const collected = storageRoot ? await collectProxyCertificates(db, { storageRoot, now }) : null;
  return { collected, watched: await watchCertificateExpiry(db, { now }) };
}

export function scheduleCertificateJob(
  db: PrismaClient,
  {
    storageRoot = null,
    everyMs = CERTIFICATE_JOB_EVERY_MS,
    log = () => {},
  }: { storageRoot?: string | null; everyMs?: number; log?: (line: string) => void } = {},
): { ready: Promise<CertificatePass | null>; stop: () => void } {
  const pass = () =>
    runCertificateJob(db, { storageRoot }).then(
      (result) => {
        for (const skipped of result.collected?.skipped ?? [])
          if (skipped.reason !== 'no domain of ours')
            log(`certificate ${skipped.path} not recorded: ${skipped.reason}`);
        return result;
      },
      (error: Error) => {
        log(`the certificate job failed: ${error.message}`);
        return null;
      },
    );
  const timer = setInterval(() => void pass(), everyMs);
  timer.unref();
  return { ready: pass(), stop: () => clearInterval(timer) };
}
