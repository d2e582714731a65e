// POST /api/webhooks/<provider>/<git source id> — push-to-deploy. The URL names the source, never its secret; the
// delivery proves itself with the provider's signature (lib/webhooks/receive.ts). The body is read only up to its
// limit (413 beyond it, before it is buffered whole), and the answer comes as soon as the deployment is queued.
import { database } from '@/lib/db';
import { getDeployQueue } from '@/lib/deploy/runtime';
import { readLimitedBody, WEBHOOK_BODY_LIMIT } from '@/lib/webhooks/body';
import { NO_SUCH_WEBHOOK, receiveWebhook } from '@/lib/webhooks/receive';
import { loadSource } from '@/lib/webhooks/store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const json = (status: number, body: Record<string, unknown>) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store' } });

export async function POST(request: Request, { params }: { params: Promise<{ provider: string; sourceId: string }> }) {
  const { provider, sourceId } = await params;
  const db = await database();
  const source = await loadSource(db.prisma, provider, sourceId);
  if (!source) return json(404, { ok: false, message: NO_SUCH_WEBHOOK });
  const body = await readLimitedBody(request, WEBHOOK_BODY_LIMIT);
  if (!body.ok) return json(body.status, { ok: false, message: body.reason });
  const result = await receiveWebhook(
    { prisma: db.prisma, queue: getDeployQueue },
    { provider, sourceId, headers: request.headers, body: body.body, source },
  );
  return json(result.status, result.body);
}
