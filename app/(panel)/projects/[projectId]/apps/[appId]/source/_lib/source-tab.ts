// What the Source and Webhook tabs show of a git source, read as the user: the webhook URL's parts, the browser-safe settings
// (sourceSettings: no secret, no private key, no token) and one page of deliveries. webhook_config is read here, on
// the server, and only the view leaves this module.
import { runAsUser } from '@/lib/db/work';
import type { ApplicationAccess } from '@/lib/applications/access';
import type { SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { readWebhookConfig, sourceSettings, type SourceSettings } from '@/lib/git-sources/config';
import { listDeliveries, type DeliveryPage } from '@/lib/git-sources/queries';
import { isSshUrl } from '@/lib/git/repository-url';
import { getRequestMeta } from '@/lib/http/request-meta';
import { deliveryCursorSchema } from '@/lib/validation/git-source';
import { isProvider, type Provider } from '@/lib/webhooks/headers';

export type GitSourceTab = {
  sourceId: string;
  provider: Provider;
  repository: string;
  /** Whether git reaches the repository over SSH (a deploy key works only then, a token only otherwise). */
  overSsh: boolean;
  webhookUrl: string;
  settings: SourceSettings;
  deliveries: DeliveryPage;
  /** Why the deliveries cursor in the URL was refused (the first page is shown instead). */
  cursorProblem: string | null;
};

/** The panel's public address, as providers must reach it. */
export function panelUrl(): string {
  const config = env();
  return (config.SLIPWAY_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

/** The tab's view of the application's git source; null when it has none (a git application whose source was never saved since git sources were added). */
export async function loadGitSourceTab(
  user: SessionUser,
  app: ApplicationAccess,
  cursor: string | undefined,
  options: { deliveries: boolean } = { deliveries: true },
): Promise<GitSourceTab | null> {
  const parsed = cursor ? deliveryCursorSchema.safeParse(cursor) : null;
  const cursorProblem = parsed && !parsed.success ? (parsed.error.issues[0]?.message ?? 'This page link is not valid.') : null;
  const ctx = { actor: user, meta: await getRequestMeta() };
  return runAsUser(await getDb(), ctx, async (tx) => {
    const row = await tx.gitSource.findUnique({
      where: { applicationId: app.id },
      select: { id: true, provider: true, repository: true, branch: true, webhookConfig: true },
    });
    if (!row || !isProvider(row.provider)) return null;
    // The Source tab shows no deliveries: it does not read them.
    const deliveries = options.deliveries
      ? await listDeliveries(tx, ctx, { applicationId: app.id, cursor: parsed?.success ? cursor : undefined })
      : { items: [], nextCursor: null };
    return {
      sourceId: row.id,
      provider: row.provider,
      repository: row.repository,
      overSsh: isSshUrl(row.repository),
      webhookUrl: `${panelUrl()}/api/webhooks/${row.provider}/${row.id}`,
      settings: sourceSettings(readWebhookConfig(row.webhookConfig), row.branch),
      deliveries,
      cursorProblem,
    };
  });
}
