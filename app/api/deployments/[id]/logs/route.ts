// GET /api/deployments/[id]/logs — the deployment's log as server-sent events: replay from the start or after
// Last-Event-ID (or ?after=), then live lines, status changes and a final `end`; 404 alike for a missing deployment
// and one the caller may not see.
import { database } from '@/lib/db';
import { deploymentLogsResponse } from '@/lib/deploy/log-response';
import { authenticated } from '@/lib/http/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = authenticated<{ id: string }>(async (request, { user, ctx, params }) =>
  deploymentLogsResponse({
    user,
    deploymentId: params.id,
    lastEventId: request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('after'),
    signal: request.signal,
    db: await database(),
    meta: ctx.meta,
  }),
);
