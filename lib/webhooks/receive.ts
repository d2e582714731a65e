// A webhook delivery, from raw bytes to a queued deployment (the route handlers in app/api/webhooks only read the
// body within its limit and pass it here). In order: the source must exist and be of the URL's provider (else 404);
// the signature is checked on the raw bytes with the source's secret (else 401, and the only thing written is the
// delivery's record); then the body is parsed. A signed delivery id is processed once (a replay answers 200 and
// changes nothing). A push to the watched branch queues a deployment of its commit, or moves the one still pending to
// it (a burst coalesces); a commit older than the newest one already accepted never replaces it (D43).
import type { DeploymentQueue } from '@/lib/deploy/queue';
import { enqueueDeployment } from '@/lib/deploy/queue';
import { asSystem, type Tx } from '@/lib/db/context';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { autoDeployOf, decryptField, readWebhookConfig, watchedBranchOf, type WebhookConfig } from '@/lib/git-sources/config';
import { recordAudit } from '@/lib/audit/write';
import { isUuid } from '@/lib/validation/ids';
import { deliveryId as readDeliveryId, eventName, parseDelivery, type PushEvent } from './events';
import { isProvider, type Provider, type WebhookHeaders } from './headers';
import { verifySignature } from './signature';

export type Outcome = 'queued' | 'coalesced' | 'ignored' | 'stale' | 'duplicate' | 'rejected' | 'failed';

export type ReceiverResponse = {
  status: number;
  body: { ok: boolean; outcome?: Outcome; message: string; deploymentId?: string };
};

export type ReceiverDeps = {
  prisma: PrismaClient;
  /** The deployment queue (started on first use in the panel). */
  queue: () => Promise<DeploymentQueue>;
};

export type SourceRow = {
  id: string;
  applicationId: string;
  provider: string;
  branch: string;
  config: WebhookConfig;
  appType: string;
  appDeleted: boolean;
};

export const NO_SUCH_WEBHOOK = 'No such webhook: copy the URL again from the application’s Source tab.';

const reply = (status: number, ok: boolean, message: string, extra: Partial<ReceiverResponse['body']> = {}): ReceiverResponse => ({
  status,
  body: { ok, message, ...extra },
});

/** The source a webhook URL names, or null (unknown id, or another provider's URL). */
export async function loadSource(prisma: PrismaClient, provider: string, sourceId: string): Promise<SourceRow | null> {
  if (!isProvider(provider) || !isUuid(sourceId)) return null;
  const row = await asSystem(prisma, (tx) =>
    tx.gitSource.findUnique({
      where: { id: sourceId },
      select: { id: true, applicationId: true, provider: true, branch: true, webhookConfig: true, application: { select: { type: true, deletedAt: true } } },
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

type DeliveryRecord = {
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
async function insertDelivery(tx: Tx, record: DeliveryRecord): Promise<string | null> {
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

async function finishDelivery(tx: Tx, id: string, decision: Decision): Promise<void> {
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
function recordRejected(prisma: PrismaClient, record: Omit<DeliveryRecord, 'signatureOk' | 'outcome'>): Promise<unknown> {
  return asSystem(prisma, (tx) => insertDelivery(tx, { ...record, signatureOk: false, outcome: 'rejected' }));
}

export type Decision = { outcome: Outcome; reason: string | null; deploymentId?: string | null };

/** What a push's record keeps to compare later pushes with and to redeliver it. */
export function pushSummary(push: PushEvent): Record<string, unknown> {
  return { ref: push.ref, tag: push.tag, before: push.before, message: push.message, author: push.author, timestamp: push.timestamp, deleted: push.deleted };
}

type Accepted = { sha: string; before: string | null; timestamp: string | null };

/** The newest push of this ref accepted so far (queued or coalesced; redeliveries are explicit and not counted). */
async function newestAccepted(tx: Tx, sourceId: string, ref: string): Promise<Accepted | null> {
  const [row] = await tx.$queryRaw<{ commit_sha: string; before: string | null; ts: string | null }[]>`
    SELECT commit_sha, summary->>'before' AS before, summary->>'timestamp' AS ts FROM webhook_deliveries
     WHERE git_source_id = ${sourceId}::uuid AND signature_ok AND outcome IN ('queued', 'coalesced')
       AND redelivery_of IS NULL AND summary->>'ref' = ${ref} AND commit_sha IS NOT NULL
     ORDER BY created_at DESC, id DESC LIMIT 1`;
  return row ? { sha: row.commit_sha, before: row.before, timestamp: row.ts } : null;
}

/** Whether `sha` is reached by walking back from `from` through the `before` links of recorded pushes. */
async function recordedAncestor(tx: Tx, sourceId: string, from: Accepted, sha: string): Promise<boolean> {
  let before = from.before;
  for (let step = 0; step < 50 && before; step += 1) {
    if (before === sha) return true;
    const [row] = await tx.$queryRaw<{ before: string | null }[]>`
      SELECT summary->>'before' AS before FROM webhook_deliveries
       WHERE git_source_id = ${sourceId}::uuid AND signature_ok AND commit_sha = ${before} LIMIT 1`;
    before = row?.before ?? null;
  }
  return false;
}

/** Whether an accepted push of this ref came after `sha` (names it as its `before`): then `sha` is older. */
async function followedByAccepted(tx: Tx, sourceId: string, ref: string, sha: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM webhook_deliveries
     WHERE git_source_id = ${sourceId}::uuid AND signature_ok AND outcome IN ('queued', 'coalesced') AND redelivery_of IS NULL
       AND summary->>'ref' = ${ref} AND summary->>'before' = ${sha}
     LIMIT 1`;
  return rows.length > 0;
}

/**
 * Is the incoming push newer than the newest accepted one? The push chain decides when it can (a push whose `before`
 * is the newest commit follows it; one the newest descends from through recorded pushes precedes it); otherwise
 * the head commits' times; equal times (one-second resolution) fall back to arrival order.
 */
export async function isNewer(tx: Tx, sourceId: string, incoming: Accepted, newest: Accepted): Promise<boolean> {
  if (incoming.before === newest.sha) return true;
  if (await recordedAncestor(tx, sourceId, newest, incoming.sha)) return false;
  if (incoming.timestamp && newest.timestamp) {
    const a = Date.parse(incoming.timestamp);
    const b = Date.parse(newest.timestamp);
    if (Number.isFinite(a) && Number.isFinite(b) && a !== b) return a > b;
  }
  return true;
}

/** Whether a push is for this source at all, or why it is ignored. */
export function pushIgnored(source: SourceRow, push: PushEvent): string | null {
  if (push.deleted || !push.commitSha) return `${push.tag ? 'tag' : 'branch'} ${push.tag ?? push.branch ?? push.ref} was deleted: nothing to deploy`;
  if (push.tag) {
    if (!source.config.deploy_tags) return `tag ${push.tag} pushed: tag pushes are ignored unless “Deploy tags” is on`;
  } else {
    const watched = watchedBranchOf(source.config, source.branch);
    if (push.branch !== watched) return `push to ${push.branch ?? push.ref}: this application deploys ${watched}`;
  }
  if (!autoDeployOf(source.config)) return 'auto-deploy is off for this application';
  if (source.appDeleted) return 'the application is archived';
  if (source.appType !== 'git') return 'the application is not deployed from git';
  return null;
}

/**
 * A push to deploy: queue it, move the pending webhook deployment to it, or leave it (older, or already on its
 * way). Runs inside the caller's transaction; the application row is locked first, so pushes of one application
 * are decided one at a time.
 */
export async function applyPush(
  tx: Tx,
  queue: DeploymentQueue,
  source: SourceRow,
  push: PushEvent & { commitSha: string },
  delivery: { provider: Provider; deliveryId: string | null; redelivery: boolean },
): Promise<Decision> {
  await tx.$queryRaw`SELECT id FROM applications WHERE id = ${source.applicationId}::uuid FOR UPDATE`;
  const incoming: Accepted = { sha: push.commitSha, before: push.before, timestamp: push.timestamp };
  if (!delivery.redelivery) {
    const newest = await newestAccepted(tx, source.id, push.ref);
    const followed = newest && newest.sha !== incoming.sha && (await followedByAccepted(tx, source.id, push.ref, incoming.sha));
    if (newest && newest.sha !== incoming.sha && (followed || !(await isNewer(tx, source.id, incoming, newest)))) {
      return { outcome: 'stale', reason: `commit ${incoming.sha.slice(0, 12)} is older than ${newest.sha.slice(0, 12)}, already accepted` };
    }
  }
  const [inFlight] = await tx.$queryRaw<{ id: string; status: string }[]>`
    SELECT id, status FROM deployments
     WHERE application_id = ${source.applicationId}::uuid AND commit_sha = ${incoming.sha} AND status IN ('pending', 'building', 'deploying')
     ORDER BY started_at DESC LIMIT 1`;
  if (inFlight) return { outcome: 'duplicate', reason: `commit ${incoming.sha.slice(0, 12)} is already ${inFlight.status}`, deploymentId: inFlight.id };

  const details = {
    commit_message: push.message,
    commit_author: push.author,
    commit_timestamp: push.timestamp,
    ref: push.ref,
    provider: delivery.provider,
    delivery_id: delivery.deliveryId,
  };
  const [pending] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM deployments
     WHERE application_id = ${source.applicationId}::uuid AND status = 'pending' AND metadata->>'trigger' = 'webhook'
     ORDER BY started_at DESC LIMIT 1 FOR UPDATE`;
  if (pending) {
    const moved = await tx.$executeRaw`
      UPDATE deployments
         SET commit_sha = ${incoming.sha},
             metadata = metadata || ${JSON.stringify(details)}::jsonb
                      || jsonb_build_object('coalesced', COALESCE((metadata->>'coalesced')::int, 0) + 1)
       WHERE id = ${pending.id}::uuid AND status = 'pending'`;
    if (moved === 1) return { outcome: 'coalesced', reason: `the pending deployment now deploys ${incoming.sha.slice(0, 12)}`, deploymentId: pending.id };
  }
  const enqueued = await enqueueDeployment(tx, queue, {
    applicationId: source.applicationId,
    triggeredBy: null,
    commitSha: incoming.sha,
    trigger: 'webhook',
    metadata: details,
  });
  await recordAudit(tx, {
    userId: null,
    action: 'application.deploy',
    resourceType: 'application',
    resourceId: source.applicationId,
    details: { deploymentId: enqueued.deploymentId, kind: 'webhook', provider: delivery.provider, commitSha: incoming.sha, deliveryId: delivery.deliveryId },
  });
  return { outcome: 'queued', reason: null, deploymentId: enqueued.deploymentId };
}

/** The whole receiver, after the route handler read the body within its limit. */
export async function receiveWebhook(
  deps: ReceiverDeps,
  input: { provider: string; sourceId: string; headers: WebhookHeaders; body: Uint8Array; source?: SourceRow | null },
): Promise<ReceiverResponse> {
  const source = input.source === undefined ? await loadSource(deps.prisma, input.provider, input.sourceId) : input.source;
  if (!source || !isProvider(input.provider)) return reply(404, false, NO_SUCH_WEBHOOK);
  const provider = input.provider;
  const event = eventName(provider, input.headers) ?? 'unknown';
  const deliveryId = readDeliveryId(provider, input.headers);
  const base = { sourceId: source.id, provider, event, deliveryId };

  const secret = await decryptField(source.config, 'secret').catch(() => null);
  if (!secret) {
    await recordRejected(deps.prisma, { ...base, reason: 'this source has no webhook secret yet: generate one on the Source tab' });
    return reply(401, false, 'This webhook has no secret yet: generate one on the application’s Source tab.');
  }
  const check = verifySignature(provider, input.headers, input.body, secret);
  if (!check.ok) {
    await recordRejected(deps.prisma, { ...base, reason: check.reason });
    return reply(401, false, `Signature refused: ${check.reason}.`);
  }

  const parsed = parseDelivery(provider, input.headers, input.body);
  const push = parsed.kind === 'push' ? parsed : null;
  const summary = push ? pushSummary(push) : parsed.kind === 'other' ? { event: parsed.event } : {};
  const record: DeliveryRecord = {
    ...base,
    signatureOk: true,
    outcome: 'failed',
    branch: push?.branch ?? null,
    commitSha: push?.commitSha ?? null,
    summary,
  };

  // Only a push that will deploy needs the queue: ignored and refused deliveries never start it.
  const ignored = push ? pushIgnored(source, push) : null;
  try {
    const queue = push && !ignored ? await deps.queue() : null;
    return await decideAndRecord(deps, { source, provider, deliveryId, parsed, ignored, queue, record });
  } catch (error) {
    // Nothing of the delivery was written (its transaction rolled back). It is recorded without its delivery id, so
    // the provider's own retry is not taken for a replay, and it can be redelivered from the Source tab.
    const reason = `could not queue the deployment: ${(error as Error).message}`.slice(0, 1000);
    await asSystem(deps.prisma, (tx) => insertDelivery(tx, { ...record, deliveryId: null, outcome: 'failed', reason })).catch(() => undefined);
    return reply(500, false, 'The deployment could not be queued; the delivery is recorded and can be redelivered from the Source tab.', {
      outcome: 'failed',
    });
  }
}

async function decideAndRecord(
  deps: ReceiverDeps,
  input: {
    source: SourceRow;
    provider: Provider;
    deliveryId: string | null;
    parsed: ReturnType<typeof parseDelivery>;
    ignored: string | null;
    queue: DeploymentQueue | null;
    record: DeliveryRecord;
  },
): Promise<ReceiverResponse> {
  const { source, provider, deliveryId, parsed, ignored, queue, record } = input;
  return asSystem(deps.prisma, async (tx) => {
    const id = await insertDelivery(tx, record);
    if (!id) return reply(200, true, 'Delivery already processed: nothing changed.', { outcome: 'duplicate' });
    let decision: Decision;
    let status = 202;
    if (parsed.kind === 'ping') {
      decision = { outcome: 'ignored', reason: 'ping: the webhook is set up' };
      status = 200;
    } else if (parsed.kind === 'other') {
      decision = { outcome: 'ignored', reason: parsed.reason };
    } else if (parsed.kind === 'invalid') {
      decision = { outcome: 'rejected', reason: parsed.reason };
      status = 400;
    } else if (ignored || !queue || !parsed.commitSha) {
      decision = { outcome: 'ignored', reason: ignored ?? 'nothing to deploy' };
    } else {
      decision = await applyPush(tx, queue, source, { ...parsed, commitSha: parsed.commitSha }, { provider, deliveryId, redelivery: false });
    }
    await finishDelivery(tx, id, decision);
    const message = decision.reason ?? `Deployment of ${parsed.kind === 'push' ? parsed.commitSha?.slice(0, 12) : ''} queued.`;
    return reply(status, status < 400, message, { outcome: decision.outcome, ...(decision.deploymentId ? { deploymentId: decision.deploymentId } : {}) });
  });
}
