// The body of GET /api/deployments/[id]/logs once the caller is known: authorization against the deployment's
// application, then the log as server-sent events. Kept out of the route file so tests drive it with real users
// and rows; the route only authenticates and hands over.
import { ansiSegments } from './ansi';
import type pg from 'pg';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import type { RequestMeta } from '@/lib/http/request-meta';
import { requireApplicationAccess } from '@/lib/applications/access';
import type { Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { refusal } from '@/lib/projects/access';
import { isUuid } from '@/lib/validation/ids';
import { parseAfterId, streamDeploymentLogs, type DeploymentLogEvent } from './log-stream';

export const DEPLOYMENT_NOT_FOUND = 'This deployment does not exist, or you do not have access to it.';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  // no-transform: a compressing proxy would otherwise hold events back to fill its buffer.
  'cache-control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told not to.
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
  'x-content-type-options': 'nosniff',
} as const;

/** How long an EventSource waits before reconnecting (it then sends Last-Event-ID and resumes without a gap). */
const RETRY_MS = 3000;
/** Events gathered into one chunk: a replay of thousands of lines is not thousands of socket writes. */
const CHUNK_BYTES = 64 * 1024;

export type DeploymentLogsRequest = {
  user: Actor;
  deploymentId: string;
  /** Last-Event-ID header or ?after=: the last row id the viewer has. */
  lastEventId?: string | null;
  signal?: AbortSignal;
  db: { prisma: PrismaClient; pool: pg.Pool };
  meta?: RequestMeta;
  heartbeatMs?: number;
};

/** Throws an audited not_found/forbidden AppError unless the actor may read this deployment's logs. */
export async function authorizeDeploymentLogs(db: PrismaClient, ctx: WorkContext, deploymentId: string): Promise<void> {
  await runAsUser(db, ctx, async (tx) => {
    const deployment = isUuid(deploymentId)
      ? await tx.deployment.findUnique({ where: { id: deploymentId }, select: { applicationId: true } })
      : null;
    if (!deployment) {
      throw refusal(ctx, { action: 'application.logs', resourceType: 'deployment', resourceId: deploymentId, notFoundMessage: DEPLOYMENT_NOT_FOUND }, false);
    }
    await requireApplicationAccess(tx, ctx, deployment.applicationId, 'application.logs');
  });
}

// A line read once is sent to every viewer of the deployment as the same (frozen) event: encoded once.
const encoded = new WeakMap<DeploymentLogEvent, string>();

/** One event in the wire format. Only log lines carry an id, so Last-Event-ID is always a row id. */
export function formatEvent(event: DeploymentLogEvent): string {
  if (event.type !== 'log') return `event: ${event.type}\ndata: ${JSON.stringify({ status: event.status })}\n\n`;
  let text = encoded.get(event);
  if (text === undefined) {
    const { id, level, message, createdAt } = event;
    // Colours are parsed here (lib/deploy/ansi.ts), so the browser renders data and ships no ANSI parser.
    const segments = message.includes('\u001b') ? ansiSegments(message) : undefined;
    text = `id: ${id}\nevent: log\ndata: ${JSON.stringify({ id, level, message, createdAt, segments })}\n\n`;
    encoded.set(event, text);
  }
  return text;
}

export async function deploymentLogsResponse(request: DeploymentLogsRequest): Promise<Response> {
  const ctx: WorkContext = { actor: request.user, meta: request.meta };
  try {
    await authorizeDeploymentLogs(request.db.prisma, ctx, request.deploymentId);
  } catch (error) {
    // Missing and forbidden answer alike: a deployment id tells nothing to someone who may not see it.
    if (error instanceof AppError) {
      return new Response(`${DEPLOYMENT_NOT_FOUND}\n`, {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      });
    }
    throw error;
  }
  return new Response(eventStream(request), { headers: SSE_HEADERS });
}

function eventStream({ db, deploymentId, lastEventId, signal, heartbeatMs = 15_000 }: DeploymentLogsRequest): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const events = streamDeploymentLogs({ pool: db.pool, deploymentId, afterId: parseAfterId(lastEventId), signal: abort.signal });
  let pending: Promise<IteratorResult<DeploymentLogEvent, void>> | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  let output: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;

  // Everything stops together: the iterator (and with it the LISTEN subscription), the heartbeat and the body.
  const stop = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    abort.abort();
    void events.return(undefined).catch(() => {});
    signal?.removeEventListener('abort', stop);
    try {
      output?.close();
    } catch {
      // Already closed or cancelled by the reader.
    }
  };
  signal?.addEventListener('abort', stop);
  // Resolves on the next macrotask: events already at hand (the rest of a page just read) come first.
  const soon = () => new Promise<'later'>((resolve) => setImmediate(resolve, 'later'));

  return new ReadableStream<Uint8Array>({
    start(controller) {
      output = controller;
      if (signal?.aborted) return stop();
      controller.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
      heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(': ping\n\n'));
      }, heartbeatMs);
    },
    async pull(controller) {
      if (closed) return;
      try {
        let result = await (pending ??= events.next());
        pending = null;
        let chunk = '';
        while (!result.done) {
          chunk += formatEvent(result.value);
          if (chunk.length >= CHUNK_BYTES) break;
          // An event not yet at hand stays pending for the next pull: it is never dropped.
          const ready = await Promise.race([(pending = events.next()), soon()]);
          if (ready === 'later') break;
          pending = null;
          result = ready;
        }
        if (closed) return;
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (result.done) stop();
      } catch (error) {
        if (closed) return;
        console.error('[slipway] deployment log stream failed', error);
        // The viewer reconnects with Last-Event-ID and resumes where it was.
        controller.error(error);
        stop();
      }
    },
    cancel() {
      stop();
    },
  });
}
