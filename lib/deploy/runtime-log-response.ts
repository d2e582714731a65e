// The body of GET /api/applications/[appId]/logs once the caller is known: the query checked, authorization against
// the application exactly like its pages (404 alike for a missing application and one the caller may not see), then
// the running service's own output (stdout and stderr of its tasks) as server-sent events (lib/http/sse.ts), in the
// log-line shape the deployment log uses (./log-event.ts).
//
// Each line's id is its Docker timestamp in microseconds, made strictly increasing within a stream. A reconnect
// (Last-Event-ID) asks Docker from that second on and skips every line up to that id, so it resumes without a gap
// or a repeat.
import type Docker from 'dockerode';
import { z } from 'zod';

import { APPLICATION_NOT_FOUND, requireApplicationAccess } from '@/lib/applications/access';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { encodeEvent, sseResponse } from '@/lib/http/sse';
import { EngineError, serviceLogs } from '@/lib/swarm';

import { logLineEvent } from './log-event';

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
};

/** RFC 3339 with up to nanoseconds → whole microseconds since the epoch; null when it is not such a time. */
export function micros(time: string | undefined): number | null {
  const match = time ? /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time) : null;
  if (!match) return null;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return null;
  return ms * 1000 + Number((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/** A Last-Event-ID this stream gave out (a microsecond timestamp), else null. */
function resumeFrom(lastEventId: string | null | undefined): number | null {
  const value = lastEventId?.trim() ?? '';
  return /^\d{1,16}$/.test(value) && Number(value) > 0 ? Number(value) : null;
}

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
  const after = resumeFrom(request.lastEventId);
  const options = {
    follow: query.follow,
    // A resume replays from the last line's second instead of a tail; lines up to it are skipped below.
    tail: after === null ? query.tail : undefined,
    since: after === null ? query.since : Math.floor(after / 1_000_000),
    timestamps: true,
  };
  return sseResponse({
    label: 'runtime log stream',
    signal: request.signal,
    heartbeatMs: request.heartbeatMs,
    format: String,
    open: async function* (signal) {
      let last = after ?? 0;
      try {
        for await (const line of serviceLogs(docker, applicationId, { ...options, signal })) {
          const at = micros(line.time);
          if (after !== null && at !== null && at <= after) continue;
          // Two lines in the same microsecond (or one without a time) still get ids in order, never a repeat.
          last = at !== null && at > last ? at : last + 1;
          yield logLineEvent({
            id: String(last),
            level: line.stream === 'stderr' ? 'warn' : 'info',
            message: line.line,
            createdAt: at === null ? undefined : new Date(Math.floor(at / 1000)).toISOString(),
          });
        }
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
      }
    },
  });
}
