// What the webhook receiver reads and writes: the git source a webhook URL names, and the record of each delivery
// (webhook_deliveries), written even for a refused one. A signed delivery id is recorded once: a replay inserts
// nothing, which is how the receiver knows it was processed before.
import { asSystem, type Tx } from '@/lib/db/context';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { readWebhookConfig, type WebhookConfig } from '@/lib/git-sources/config';
import { isUuid } from '@/lib/validation/ids';

import { isProvider, type Provider } from './headers';

export type Outcome = 'queued' | 'coalesced' | 'ignored' | 'stale' | 'duplicate' | 'rejected' | 'failed';

export type Decision = { outcome: Outcome; reason: string | null; deploymentId?: string | null };

export type SourceRow = {
  id: string;
  applicationId: string;
  provider: string;
  branch: string;
  config: WebhookConfig;
  appType: string;
  appDeleted: boolean;
};

/** The source a webhook URL names, or null (unknown id, or another provider's URL). */
export async function loadSource(prisma: PrismaClient, provider: string, sourceId: string): Promise<SourceRow | null> {
  if (!isProvider(provider) || !isUuid(sourceId)) return null;
  const row = await asSystem(prisma, (tx) =>
    tx.gitSource.findUnique({
      where: { id: sourceId },
      select: {
        id: true,
        applicationId: true,
        provider: true,
        branch: true,
        webhookConfig: true,
        application: { select: { type: true, deletedAt: true } },
      },
    }),
  );
  if (!row || row.provider !== provider) return null;
  return {
    id: row.id,
    applicationId: row.applicationId,
    provider: row.provider,
    branch: row.branch,
    config: readWebhookConfig(row.webhookConfig),
    appType: row.application.type,
    appDeleted: row.application.deletedAt !== null,
  };
}

export type DeliveryRecord = {
  sourceId: string;
  provider: Provider;
  event: string;
  deliveryId: string | null;
  signatureOk: boolean;
  outcome: Outcome;
  reason?: string | null;
  branch?: string | null;
  commitSha?: string | null;
  deploymentId?: string | null;
  redeliveryOf?: string | null;
  summary?: Record<string, unknown>;
};

/** Inserts the record; null when a signed delivery with this id was recorded before (a replay). */
export async function insertDelivery(tx: Tx, record: DeliveryRecord): Promise<string | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO webhook_deliveries
      (git_source_id, provider, event, delivery_id, signature_ok, outcome, reason, branch, commit_sha, deployment_id, redelivery_of, summary)
    VALUES (${record.sourceId}::uuid, ${record.provider}, ${record.event.slice(0, 100)}, ${record.deliveryId}, ${record.signatureOk},
      ${record.outcome}, ${record.reason?.slice(0, 1000) ?? null}, ${record.branch ?? null}, ${record.commitSha ?? null},
      ${record.deploymentId ?? null}::uuid, ${record.redeliveryOf ?? null}::uuid, ${JSON.stringify(record.summary ?? {})}::jsonb)
    ON CONFLICT (git_source_id, delivery_id) WHERE signature_ok AND delivery_id IS NOT NULL DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

export async function finishDelivery(tx: Tx, id: string, decision: Decision): Promise<void> {
  // created_at becomes the moment of the decision (clock_timestamp, not the transaction's start): decisions of one
  // application are serialized by its row lock, so "newest accepted" (newestAccepted) follows the order they were
  // made in, not the order their transactions happened to begin.
  await tx.$executeRaw`
    UPDATE webhook_deliveries
       SET outcome = ${decision.outcome}, reason = ${decision.reason?.slice(0, 1000) ?? null}, deployment_id = ${decision.deploymentId ?? null}::uuid,
           created_at = clock_timestamp()
     WHERE id = ${id}::uuid`;
}

/** Records a delivery that was refused before its body could be trusted (its own short transaction). */
export function recordRejected(
  prisma: PrismaClient,
  record: Omit<DeliveryRecord, 'signatureOk' | 'outcome'>,
): Promise<unknown> {
  return asSystem(prisma, (tx) => insertDelivery(tx, { ...record, signatureOk: false, outcome: 'rejected' }));
}
