// What the Source and Webhook tabs show of an application's git source, for anyone who can see the application:
// the webhook URL, the browser-safe settings (sourceSettings: no secret, no private key, no token; webhook_config is
// read here on the server and only the view leaves), and "Recent deliveries": what the provider sent and what came
// of it, newest first, by the (created_at, id) keyset. Only delivery columns safe to show are selected (no
// `before`, no body: the body is never stored), and display text is cut to size here.
import { requireApplicationAccess } from '@/lib/applications/access';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { Prisma } from '@/lib/generated/prisma/client';
import { isSshUrl } from '@/lib/git/repository-url';
import { DELIVERIES_PAGE_SIZE, deliveryCursorSchema, encodeDeliveryCursor } from '@/lib/validation/git-source';
import { isProvider, type Provider } from '@/lib/webhooks/headers';
import type { Outcome } from '@/lib/webhooks/store';
import { webhookUrl } from '@/lib/webhooks/url';

import { readWebhookConfig, sourceSettings, type SourceSettings } from './config';

const MESSAGE_MAX = 200;

export type DeliveryItem = {
  id: string;
  event: string;
  /** The provider's delivery id (null for a redelivery, or when the provider sent none). */
  deliveryId: string | null;
  signatureOk: boolean;
  outcome: Outcome;
  reason: string | null;
  branch: string | null;
  tag: string | null;
  commitSha: string | null;
  /** The head commit's first 200 characters. */
  message: string | null;
  author: string | null;
  deploymentId: string | null;
  redeliveryOf: string | null;
  createdAt: Date;
  /** A signed push of a commit: what Redeliver can process again. */
  redeliverable: boolean;
};

export type DeliveryPage = { items: DeliveryItem[]; nextCursor: string | null };

type Row = {
  id: string;
  event: string;
  delivery_id: string | null;
  signature_ok: boolean;
  outcome: string;
  reason: string | null;
  branch: string | null;
  tag: string | null;
  commit_sha: string | null;
  message: string | null;
  author: string | null;
  deleted: boolean;
  has_ref: boolean;
  deployment_id: string | null;
  redelivery_of: string | null;
  created_at: Date;
  created_at_exact: string;
};

/** Cut to `max` UTF-16 code units without splitting a surrogate pair. */
function clip(value: string | null, max: number): string | null {
  if (value === null || value.length <= max) return value;
  const cut = value.slice(0, max);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/**
 * One page of the deliveries to the application's webhook (anyone who can see the application may read them). An
 * application without a git source has none. A cursor that does not decode throws the schema's ZodError.
 */
export async function listDeliveries(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string; cursor?: string },
): Promise<DeliveryPage> {
  const cursor = input.cursor ? deliveryCursorSchema.parse(input.cursor) : undefined;
  const app = await requireApplicationAccess(tx, ctx, input.applicationId, 'application.read');
  const source = await tx.gitSource.findUnique({ where: { applicationId: app.id }, select: { id: true } });
  if (!source) return { items: [], nextCursor: null };
  const after = cursor
    ? Prisma.sql`AND (created_at, id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`
    : Prisma.empty;
  // One row more than the page tells whether another page follows.
  const rows = await tx.$queryRaw<Row[]>`
    SELECT id::text AS id, event, delivery_id, signature_ok, outcome, reason, branch, commit_sha,
           summary->>'tag' AS tag, left(summary->>'message', ${MESSAGE_MAX + 1}::int) AS message, left(summary->>'author', 200) AS author,
           coalesce(summary->>'deleted', 'false') = 'true' AS deleted, (summary->>'ref') IS NOT NULL AS has_ref,
           deployment_id::text AS deployment_id, redelivery_of::text AS redelivery_of, created_at,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact
      FROM webhook_deliveries
     WHERE git_source_id = ${source.id}::uuid ${after}
     ORDER BY created_at DESC, id DESC
     LIMIT ${DELIVERIES_PAGE_SIZE + 1}`;
  const page = rows.slice(0, DELIVERIES_PAGE_SIZE);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: row.id,
      event: row.event,
      deliveryId: row.delivery_id,
      signatureOk: row.signature_ok,
      outcome: row.outcome as Outcome,
      reason: row.reason,
      branch: row.branch,
      tag: row.tag,
      commitSha: row.commit_sha,
      message: clip(row.message, MESSAGE_MAX),
      author: row.author,
      deploymentId: row.deployment_id,
      redeliveryOf: row.redelivery_of,
      createdAt: row.created_at,
      redeliverable: row.signature_ok && row.commit_sha !== null && row.has_ref && !row.deleted,
    })),
    nextCursor:
      rows.length > DELIVERIES_PAGE_SIZE && last
        ? encodeDeliveryCursor({ createdAt: last.created_at_exact, id: last.id })
        : null,
  };
}

export type GitSourceTab = {
  sourceId: string;
  provider: Provider;
  repository: string;
  /** Whether git reaches the repository over SSH (a deploy key works only then, a token only otherwise). */
  overSsh: boolean;
  webhookUrl: string;
  settings: SourceSettings;
  deliveries: DeliveryPage;
  /** Why the deliveries cursor from the URL was refused (the first page is shown instead). */
  cursorProblem: string | null;
};

/**
 * The tabs' view of the application's git source; null when it has none (a git application whose source was never
 * saved since git sources were added). `deliveries: false` (the Source tab) does not read them. A cursor that does
 * not decode shows the first page, and says why.
 */
export async function getGitSourceTab(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string; cursor?: string; deliveries: boolean },
): Promise<GitSourceTab | null> {
  const parsed = input.cursor ? deliveryCursorSchema.safeParse(input.cursor) : null;
  const cursorProblem =
    parsed && !parsed.success ? (parsed.error.issues[0]?.message ?? 'This page link is not valid.') : null;
  const cursor = parsed?.success ? input.cursor : undefined;
  const app = await requireApplicationAccess(tx, ctx, input.applicationId, 'application.read');
  const row = await tx.gitSource.findUnique({
    where: { applicationId: app.id },
    select: { id: true, provider: true, repository: true, branch: true, webhookConfig: true },
  });
  if (!row || !isProvider(row.provider)) return null;
  const deliveries = input.deliveries
    ? await listDeliveries(tx, ctx, { applicationId: app.id, cursor })
    : { items: [], nextCursor: null };
  return {
    sourceId: row.id,
    provider: row.provider,
    repository: row.repository,
    overSsh: isSshUrl(row.repository),
    webhookUrl: webhookUrl({ provider: row.provider, id: row.id }),
    settings: sourceSettings(readWebhookConfig(row.webhookConfig), row.branch),
    deliveries,
    cursorProblem,
  };
}
