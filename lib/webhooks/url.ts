// The address a git provider posts a webhook to: the panel's public URL (SLIPWAY_URL, which providers must be able to
// reach) with the route app/api/webhooks/[provider]/[sourceId].
import { env } from '@/lib/env';

import type { Provider } from './headers';

/** The panel's public address, as providers must reach it (no trailing slash). */
function panelUrl(): string {
  const config = env();
  return (config.SLIPWAY_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

export function webhookUrl(source: { provider: Provider; id: string }): string {
  return `${panelUrl()}/api/webhooks/${source.provider}/${source.id}`;
}
