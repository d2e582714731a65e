// The Source and Webhook tabs' read of the application's git source, as the user (lib/git-sources/queries.ts
// getGitSourceTab authorizes it and builds the browser-safe view).
import type { ApplicationAccess } from '@/lib/applications/access';
import type { SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { runAsUser } from '@/lib/db/work';
import { getGitSourceTab, type GitSourceTab } from '@/lib/git-sources/queries';
import { getRequestMeta } from '@/lib/http/request-meta';

export async function loadGitSourceTab(
  user: SessionUser,
  app: ApplicationAccess,
  cursor: string | undefined,
  options: { deliveries: boolean } = { deliveries: true },
): Promise<GitSourceTab | null> {
  const ctx = { actor: user, meta: await getRequestMeta() };
  return runAsUser(await getDb(), ctx, (tx) =>
    getGitSourceTab(tx, ctx, { applicationId: app.id, cursor, deliveries: options.deliveries }),
  );
}
