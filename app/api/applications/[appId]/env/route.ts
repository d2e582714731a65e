// GET /api/applications/[appId]/env — the application's variables as a .env download. Secret values are included
// only for those allowed env.reveal_secret (and that is audited); for everyone else each secret is a comment line
// naming its key.
import { getDb } from '@/lib/db';
import { runAsUser } from '@/lib/db/work';
import { exportDotenv } from '@/lib/env-vars/queries';
import { authenticated } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = authenticated<{ appId: string }>(async (_request, { ctx, params }) => {
  const exported = await runAsUser(await getDb(), ctx, (tx) => exportDotenv(tx, ctx, { applicationId: params.appId }));
  return new Response(exported.text, {
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="${exported.filename}"`,
    },
  });
});
