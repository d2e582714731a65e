// GET /api/applications/[appId]/env — the application's variables as a .env download (session cookie or
// `Authorization: Bearer <API token>`). Secret values are included only for those allowed env.reveal_secret (and
// that is audited); for everyone else each secret is a comment line naming its key.
import { runAsUser, type WorkContext } from '@/lib/db/work';
import { authenticateRequest } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { exportDotenv } from '@/lib/env-vars/env-vars';
import { AppError, type AppErrorCode } from '@/lib/errors';
import { requestMetaFrom } from '@/lib/http/request-meta';

export const dynamic = 'force-dynamic';

const STATUS: Partial<Record<AppErrorCode, number>> = { not_found: 404, forbidden: 403, invalid: 400, conflict: 409, unauthorized: 401 };
const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function text(body: string, status: number, headers: Record<string, string> = {}) {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE, ...headers } });
}

export async function GET(request: Request, { params }: { params: Promise<{ appId: string }> }) {
  const user = await authenticateRequest(request);
  if (!user) {
    return text('Not signed in, or the API token is invalid, expired or revoked.\n', 401, { 'www-authenticate': 'Bearer' });
  }
  const { appId } = await params;
  const ctx: WorkContext = { actor: user, meta: requestMetaFrom(request) };
  try {
    const exported = await runAsUser(await getDb(), ctx, (tx) => exportDotenv(tx, ctx, { applicationId: appId }));
    return text(exported.text, 200, { 'content-disposition': `attachment; filename="${exported.filename}"` });
  } catch (error) {
    if (error instanceof AppError) return text(`${error.message}\n`, STATUS[error.code] ?? 400);
    console.error('[slipway] env export failed', error);
    return text('Something went wrong on the server; try again.\n', 500);
  }
}
