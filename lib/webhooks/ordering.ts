// Which push wins (D43, D48). Pushes of one application are decided one at a time (its row is locked first), in the
// order the decisions are made: a push older than the newest one already accepted is stale, one whose commit is
// already on its way is a duplicate, a newer one moves the pending webhook deployment to its commit (a burst
// coalesces) or, when none is pending, queues one.
import { recordAudit } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import { enqueueDeployment, type DeploymentQueue } from '@/lib/deploy/queue';

import type { PushEvent } from './events';
import type { Provider } from './headers';
import type { Decision, SourceRow } from './store';

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
async function isNewer(tx: Tx, sourceId: string, incoming: Accepted, newest: Accepted): Promise<boolean> {
  if (incoming.before === newest.sha) return true;
  if (await recordedAncestor(tx, sourceId, newest, incoming.sha)) return false;
  if (incoming.timestamp && newest.timestamp) {
    const a = Date.parse(incoming.timestamp);
    const b = Date.parse(newest.timestamp);
    if (Number.isFinite(a) && Number.isFinite(b) && a !== b) return a > b;
  }
  return true;
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
    const followed =
      newest && newest.sha !== incoming.sha && (await followedByAccepted(tx, source.id, push.ref, incoming.sha));
    if (newest && newest.sha !== incoming.sha && (followed || !(await isNewer(tx, source.id, incoming, newest)))) {
      return {
        outcome: 'stale',
        reason: `commit ${incoming.sha.slice(0, 12)} is older than ${newest.sha.slice(0, 12)}, already accepted`,
      };
    }
  }
  const [inFlight] = await tx.$queryRaw<{ id: string; status: string }[]>`
    SELECT id, status FROM deployments
     WHERE application_id = ${source.applicationId}::uuid AND commit_sha = ${incoming.sha} AND status IN ('pending', 'building', 'deploying')
     ORDER BY started_at DESC LIMIT 1`;
  if (inFlight)
    return {
      outcome: 'duplicate',
      reason: `commit ${incoming.sha.slice(0, 12)} is already ${inFlight.status}`,
      deploymentId: inFlight.id,
    };

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
    if (moved === 1)
      return {
        outcome: 'coalesced',
        reason: `the pending deployment now deploys ${incoming.sha.slice(0, 12)}`,
        deploymentId: pending.id,
      };
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
    details: {
      deploymentId: enqueued.deploymentId,
      kind: 'webhook',
      provider: delivery.provider,
      commitSha: incoming.sha,
      deliveryId: delivery.deliveryId,
    },
  });
  return { outcome: 'queued', reason: null, deploymentId: enqueued.deploymentId };
}
