// GET /api/applications/[appId]/logs — the running service's own output as server-sent events (session cookie or
// `Authorization: Bearer <API token>`), authorized against the application exactly like its pages: 401 without
// credentials, 404 alike for a missing application and one the caller may not see. Query: tail (lines, default
// 200, at most 5000), since (UNIX seconds), follow (default on). Each line's id is its timestamp in microseconds, so
// a reconnect (Last-Event-ID) resumes from that instant and the viewer drops what it already shows.
import { runAsUser } from '@/lib/db/work';
import { requireApplicationAccess } from '@/lib/applications/access';
import { authenticateRequest } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { ansiSegments } from '@/lib/deploy/ansi';
import { getDocker } from '@/lib/deploy/docker';
import { AppError } from '@/lib/errors';
import { requestMetaFrom } from '@/lib/http/request-meta';
import { EngineError, serviceLogs } from '@/lib/swarm';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const HEARTBEAT_MS = 15_000;
const TAIL_MAX = 5000;

function json(body: unknown, status: number, headers: Record<string, string> = {}) {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

/** RFC 3339 with nanoseconds → microseconds since the epoch (a number that orders lines). */
function micros(time: string | undefined): number | null {
  if (!time) return null;
  const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return null;
  return seconds * 1000 + Number(((match[2] ?? '') + '000000').slice(0, 6)) / 1000;
}

function intParam(value: string | null, { min, max }: { min: number; max: number }): number | undefined {
  if (value === null || !/^\d{1,12}$/.test(value)) return undefined;
  return Math.min(max, Math.max(min, Number(value)));
}

export async function GET(request: Request, { params }: { params: Promise<{ appId: string }> }) {
  const user = await authenticateRequest(request);
  if (!user) return json({ error: 'Not signed in, or the API token is invalid, expired or revoked.' }, 401, { 'www-authenticate': 'Bearer' });
  const { appId } = await params;
  const ctx = { actor: user, meta: requestMetaFrom(request) };
  try {
    await runAsUser(await getDb(), ctx, (tx) => requireApplicationAccess(tx, ctx, appId, 'application.logs'));
  } catch (error) {
    if (error instanceof AppError) return json({ error: 'This application does not exist, or you do not have access to it.' }, 404);
    throw error;
  }

  const url = new URL(request.url);
  const lastEventId = Number(request.headers.get('last-event-id') ?? NaN);
  const resumeSeconds = Number.isFinite(lastEventId) && lastEventId > 0 ? Math.floor(lastEventId / 1_000_000) : undefined;
  const since = resumeSeconds ?? intParam(url.searchParams.get('since'), { min: 0, max: 4_102_444_800 });
  const tail = resumeSeconds === undefined ? (intParam(url.searchParams.get('tail'), { min: 0, max: TAIL_MAX }) ?? 200) : undefined;
  const follow = url.searchParams.get('follow') !== 'false';

  const controller = new AbortController();
  request.signal.addEventListener('abort', () => controller.abort(), { once: true });
  const encoder = new TextEncoder();
  let sequence = 0;
  const stream = new ReadableStream<Uint8Array>({
    async start(sink) {
      const send = (text: string) => {
        if (!controller.signal.aborted) sink.enqueue(encoder.encode(text));
      };
      const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
      try {
        for await (const line of serviceLogs(getDocker(), appId, { follow, tail, since, timestamps: true, signal: controller.signal })) {
          sequence += 1;
          const id = micros(line.time) ?? sequence;
          const data = { id, level: line.stream === 'stderr' ? 'warn' : 'info', message: line.line, time: line.time, ...(line.line.includes('\u001b') ? { segments: ansiSegments(line.line) } : {}) };
          send(`id: ${id}\nevent: log\ndata: ${JSON.stringify(data)}\n\n`);
        }
        send(`event: end\ndata: ${JSON.stringify({ status: 'ended' })}\n\n`);
      } catch (error) {
        const message =
          error instanceof EngineError ? error.message : 'The Docker engine could not be reached for this service’s logs.';
        if (!(error instanceof EngineError)) console.error('[slipway] runtime logs failed', error);
        send(`event: failure\ndata: ${JSON.stringify({ message })}\n\n`);
      } finally {
        clearInterval(heartbeat);
        controller.abort();
        try {
          sink.close();
        } catch {
          // Already closed by the client going away.
        }
      }
    },
    cancel() {
      controller.abort();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    },
  });
}
