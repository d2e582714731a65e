// GET /api/deployments/[id]/logs — the deployment's log as server-sent events (session cookie or
// `Authorization: Bearer <API token>`): replay from the start or after Last-Event-ID (or ?after=), then live lines,
// status changes and a final `end`; 404 alike for a missing deployment and one the caller may not see.
import { authenticateRequest } from '@/lib/auth/session';
import { database } from '@/lib/db';
import { deploymentLogsResponse } from '@/lib/deploy/log-response';
import { requestMetaFrom } from '@/lib/http/request-meta';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  // A request with neither a cookie nor a token is refused before any session or database work.
  const anonymous = !request.headers.has('authorization') && !request.headers.has('cookie');
  const user = anonymous ? null : await authenticateRequest(request);
  if (!user) {
    return Response.json(
      { error: 'Not signed in, or the API token is invalid, expired or revoked.' },
      { status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer' } },
    );
  }
  const { id } = await params;
  const url = new URL(request.url);
  return deploymentLogsResponse({
    user,
    deploymentId: id,
    lastEventId: request.headers.get('last-event-id') ?? url.searchParams.get('after'),
    signal: request.signal,
    db: await database(),
    meta: requestMetaFrom(request),
  });
}
