'use server';

// The Proxy status page's one action (administrators): ask the reconciler for a pass now. The pass itself runs in the
// process that runs the proxy (lib/proxy/runner.ts), so the page shows its result on the next load.
import { z } from 'zod';

import { formAction } from '@/lib/actions/form-action';
import { requestProxySync } from '@/lib/proxy/sync';
import { assertSettingsManager } from '@/lib/settings/access';

export const syncProxyNowAction = formAction({
  schema: z.object({}),
  keys: [],
  // The check (and a refusal's audit entry) in the work; the request once it has passed.
  run: async (_tx, ctx) => assertSettingsManager(ctx, 'proxy_sync'),
  as: 'system',
  revalidate: ['/settings/proxy'],
  success: () => {
    requestProxySync('manual');
    return 'Asked the proxy to sync: reload in a moment to see the result.';
  },
});
