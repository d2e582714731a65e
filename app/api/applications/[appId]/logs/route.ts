// GET /api/applications/[appId]/logs — the running service's own output as server-sent events, authorized against
// the application like its pages (404 alike for a missing application and one the caller may not see). Query: tail
// (lines, default 200, at most 5000), since (UNIX seconds), follow (true or false, default true); a reconnect with
// Last-Event-ID resumes after the last line it had (lib/deploy/runtime-log-response.ts).
import { getDb } from '@/lib/db';
import { getDocker } from '@/lib/deploy/docker';
import { runtimeLogsResponse } from '@/lib/deploy/runtime-log-response';
import { authenticated } from '@/lib/http/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = authenticated<{ appId: string }>(async (request, { ctx, params }) =>
  runtimeLogsResponse({
    ctx,
    applicationId: params.appId,
    query: new URL(request.url).searchParams,
    lastEventId: request.headers.get('last-event-id'),
    signal: request.signal,
    db: await getDb(),
    docker: getDocker(),
  }),
);
