// A webhook delivery, from raw bytes to a queued deployment (the route handlers in app/api/webhooks only read the
// body within its limit and pass it here). In order: the source must exist and be of the URL's provider (else 404);
// the signature is checked on the raw bytes with the source's secret (else 401, and the only thing written is the
// delivery's record); then the body is parsed. A signed delivery id is processed once (a replay answers 200 and
// changes nothing). A push to the watched branch queues a deployment of its commit, or moves the one still pending to
// it (a burst coalesces); a commit older than the newest one already accepted never replaces it (D43).
import { asSystem } from '@/lib/db/context';
import type { DeploymentQueue } from '@/lib/deploy/queue';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { autoDeployOf, decryptField, watchedBranchOf } from '@/lib/git-sources/config';

import { eventName, parseDelivery, deliveryId as readDeliveryId, type PushEvent } from './events';
import { isProvider, type Provider, type WebhookHeaders } from './headers';
import { applyPush } from './ordering';
import { verifySignature } from './signature';
import {
  finishDelivery,
  insertDelivery,
  loadSource,
  recordRejected,
  type Decision,
  type DeliveryRecord,
  type Outcome,
  type SourceRow,
} from './store';

export type ReceiverResponse = {
  status: number;
  body: { ok: boolean; outcome?: Outcome; message: string; deploymentId?: string };
};

export type ReceiverDeps = {
  prisma: PrismaClient;
  /** The deployment queue (started on first use in the panel). */
  queue: () => Promise<DeploymentQueue>;
};

export const NO_SUCH_WEBHOOK = 'No such webhook: copy the URL again from the application’s Source tab.';

const reply = (
  status: number,
  ok: boolean,
  message: string,
  extra: Partial<ReceiverResponse['body']> = {},
): ReceiverResponse => ({
  status,
  body: { ok, message, ...extra },
});

/** What a push's record keeps to compare later pushes with and to redeliver it. */
function pushSummary(push: PushEvent): Record<string, unknown> {
  return {
    ref: push.ref,
    tag: push.tag,
    before: push.before,
    message: push.message,
    author: push.author,
    timestamp: push.timestamp,
    deleted: push.deleted,
  };
}

/** Whether a push is for this source at all, or why it is ignored. */
export function pushIgnored(source: SourceRow, push: PushEvent): string | null {
  if (push.deleted || !push.commitSha)
    return `${push.tag ? 'tag' : 'branch'} ${push.tag ?? push.branch ?? push.ref} was deleted: nothing to deploy`;
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

/** The whole receiver, after the route handler read the body within its limit. */
export async function receiveWebhook(
  deps: ReceiverDeps,
  input: { provider: string; sourceId: string; headers: WebhookHeaders; body: Uint8Array; source?: SourceRow | null },
): Promise<ReceiverResponse> {
  const source =
    input.source === undefined ? await loadSource(deps.prisma, input.provider, input.sourceId) : input.source;
  if (!source || !isProvider(input.provider)) return reply(404, false, NO_SUCH_WEBHOOK);
  const provider = input.provider;
  const event = eventName(provider, input.headers) ?? 'unknown';
  const deliveryId = readDeliveryId(provider, input.headers);
  const base = { sourceId: source.id, provider, event, deliveryId };

  // A secret that no key of the ring decrypts answers as a missing one (401), and the operator is told why.
  const secret = await decryptField(source.config, 'secret').catch((error: unknown) => {
    console.error(`[slipway] webhook source ${source.id}: its secret could not be decrypted`, error);
    return null;
  });
  if (!secret) {
    await recordRejected(deps.prisma, {
      ...base,
      reason: 'this source has no webhook secret yet: generate one on the Source tab',
    });
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
    await asSystem(deps.prisma, (tx) =>
      insertDelivery(tx, { ...record, deliveryId: null, outcome: 'failed', reason }),
    ).catch((recordError: unknown) =>
      console.error(
        `[slipway] webhook source ${source.id}: a failed delivery could not be recorded (${reason})`,
        recordError,
      ),
    );
    return reply(
      500,
      false,
      'The deployment could not be queued; the delivery is recorded and can be redelivered from the Source tab.',
      {
        outcome: 'failed',
      },
    );
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
      decision = await applyPush(
        tx,
        queue,
        source,
        { ...parsed, commitSha: parsed.commitSha },
        { provider, deliveryId, redelivery: false },
      );
    }
    await finishDelivery(tx, id, decision);
    const message =
      decision.reason ?? `Deployment of ${parsed.kind === 'push' ? parsed.commitSha?.slice(0, 12) : ''} queued.`;
    return reply(status, status < 400, message, {
      outcome: decision.outcome,
      ...(decision.deploymentId ? { deploymentId: decision.deploymentId } : {}),
    });
  });
}
