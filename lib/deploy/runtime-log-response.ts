// The body of GET /api/applications/[appId]/logs once the caller is known: the query checked, authorization against
// the application exactly like its pages (404 alike for a missing application and one the caller may not see), then
// the running service's own output (stdout and stderr of its tasks) as server-sent events (lib/http/sse.ts), in the
// log-line shape the deployment log uses (./log-event.ts).
//
// Each line's id is its Docker time in microseconds and its place among the lines of that microsecond
// (./runtime-log-ids.ts). A reconnect (Last-Event-ID) asks Docker from that second on and skips every line up to that
// id, so it resumes without a gap or a repeat. A live viewer is sent at most so many lines a second
// (./live-log-limit.ts); lines over that are skipped, and a `skipped` event says how many and carries the last
// skipped line's id, so a reconnect does not bring them back.
import type Docker from 'dockerode';
import { z } from 'zod';

import { APPLICATION_NOT_FOUND, requireApplicationAccess } from '@/lib/applications/access';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { encodeEvent, sseResponse } from '@/lib/http/sse';
import { EngineError, serviceLogs } from '@/lib/swarm';

import { lineBudget, LIVE_LOG_LIMIT, type LiveLogLimit } from './live-log-limit';
import { logLineEvent } from './log-event';
import { formatLogId, isAfter, logIds, micros, parseLogId } from './runtime-log-ids';

export const TAIL_DEFAULT = 200;
export const TAIL_MAX = 5000;
/** 2100-01-01: any later `since` is a mistake. */
const SINCE_MAX = 4_102_444_800;

const wholeNumber = (message: string) =>
  z
    .string()
    .regex(/^\d{1,12}$/, message)
    .transform(Number);

export const runtimeLogQuerySchema = z.object({
  // More than TAIL_MAX lines is answered with TAIL_MAX, as `docker logs` users expect a large tail to mean "a lot".
  tail: wholeNumber(`tail is a number of lines, from 0 to ${TAIL_MAX}.`)
    .transform((lines) => Math.min(lines, TAIL_MAX))
    .default(TAIL_DEFAULT),
  since: wholeNumber('since is a time in UNIX seconds.')
    .pipe(z.number().max(SINCE_MAX, 'since is a time in UNIX seconds.'))
    .optional(),
  follow: z
    .enum(['true', 'false'], 'follow is true or false.')
    .default('true')
    .transform((value) => value === 'true'),
});
export type RuntimeLogQuery = z.infer<typeof runtimeLogQuerySchema>;

export type RuntimeLogsRequest = {
  ctx: WorkContext;
  applicationId: string;
  /** The request's query: tail, since, follow. */
  query: URLSearchParams;
  /** Last-Event-ID: the id of the last line the viewer has. */
  lastEventId?: string | null;
  signal?: AbortSignal;
  db: PrismaClient;
  docker: Docker;
  heartbeatMs?: number;
  /** Lines a live viewer is sent (LIVE_LOG_LIMIT unless a test makes it smaller). */
  limit?: LiveLogLimit;
};

/** The query as the stream uses it, or an AppError invalid naming the first parameter that is wrong. */
export function parseRuntimeLogQuery(query: URLSearchParams): RuntimeLogQuery {
  const raw = Object.fromEntries(
    ['tail', 'since', 'follow'].flatMap((key) => (query.has(key) ? [[key, query.get(key)]] : [])),
  );
  const parsed = runtimeLogQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('invalid', issue.message, { field: String(issue.path[0]) });
  }
  return parsed.data;
}

export async function runtimeLogsResponse(request: RuntimeLogsRequest): Promise<Response> {
  const { ctx, applicationId, db, docker } = request;
  const query = parseRuntimeLogQuery(request.query);
  try {
    await runAsUser(db, ctx, (tx) => requireApplicationAccess(tx, ctx, applicationId, 'application.logs'));
  } catch (error) {
    // Refused (audited) or missing: the same answer, so an id tells nothing to someone who may not see it.
    if (error instanceof AppError) throw new AppError('not_found', APPLICATION_NOT_FOUND);
    throw error;
  }
  const after = parseLogId(request.lastEventId);
  const options = {
    follow: query.follow,
    // A resume replays from the last line's second instead of a tail; lines up to it are skipped below.
    tail: after === null ? query.tail : undefined,
    since: after === null ? query.since : Math.floor(after.micros / 1_000_000),
    timestamps: true,
  };
  const limit = query.follow ? (request.limit ?? LIVE_LOG_LIMIT) : null;
  return sseResponse({
    label: 'runtime log stream',
    signal: request.signal,
    heartbeatMs: request.heartbeatMs,
    format: String,
    open: async function* (signal) {
      const nextId = logIds();
      const budget = limit && lineBudget(limit);
      const skipped = { count: 0, id: '' };
      const notice = () => {
        const event = encodeEvent({ id: skipped.id, event: 'skipped', data: { count: skipped.count, id: skipped.id } });
        skipped.count = 0;
        return event;
      };
      const lines = serviceLogs(docker, applicationId, { ...options, signal });
      try {
        // Read ahead while a line is being sent; a rejection is seen where it is awaited, never left unhandled.
        const ahead = () => {
          const next = lines.next();
          next.catch(() => {});
          return next;
        };
        let pending = ahead();
        for (;;) {
          // While lines are held back, the count goes out when the budget refills even if the flood has stopped.
          const result = skipped.count && budget ? await settleWithin(pending, budget.untilRefill()) : await pending;
          if (result === 'idle') {
            yield notice();
            continue;
          }
          if (result.done) break;
          pending = ahead();
          const line = result.value;
          const at = micros(line.time);
          const cursor = nextId(at);
          if (after !== null && !isAfter(cursor, after)) continue;
          const id = formatLogId(cursor);
          if (budget && !budget.take()) {
            skipped.count += 1;
            skipped.id = id;
            continue;
          }
          if (skipped.count) yield notice();
          yield logLineEvent({
            id,
            level: line.stream === 'stderr' ? 'warn' : 'info',
            message: line.line,
            createdAt: at === null ? undefined : new Date(Math.floor(at / 1000)).toISOString(),
          });
        }
        if (skipped.count) yield notice();
        if (!signal.aborted) yield encodeEvent({ event: 'end', data: { status: 'ended' } });
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof EngineError)) console.error('[slipway] runtime logs failed', error);
        const message =
          error instanceof EngineError
            ? error.message
            : 'The Docker engine could not be reached for this service’s logs.';
        // The viewer shows why and stops reconnecting.
        yield encodeEvent({ event: 'failure', data: { message } });
      } finally {
        await lines.return(undefined);
      }
    },
  });
}

/** `pending`'s result, or 'idle' when it has not settled within `ms`. */
async function settleWithin<T>(pending: Promise<T>, ms: number): Promise<T | 'idle'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([pending, new Promise<'idle'>((resolve) => (timer = setTimeout(resolve, ms, 'idle')))]);
  } finally {
    clearTimeout(timer);
  }
}
