'use server';

// Panel network settings (administrators). updateTrustedProxies checks settings.manage and audits in its transaction;
// the list is applied to this process's server once that has committed (other processes pick it up within 30 s).
import { formAction } from '@/lib/actions/form-action';
import { setTrustedProxies } from '@/lib/http/client-ip';
import { environmentOverride, updateTrustedProxies } from '@/lib/settings/trusted-proxies';
import { trustedProxiesSchema } from '@/lib/validation/settings';

export const updateTrustedProxiesAction = formAction({
  schema: trustedProxiesSchema,
  keys: ['trustedProxies'],
  run: (tx, ctx, input) => updateTrustedProxies(tx, ctx, input, environmentOverride()),
  as: 'system',
  revalidate: ['/settings/network'],
  success: (trusted) => {
    setTrustedProxies(trusted);
    return {
      message: trusted.entries.length
        ? `Saved: X-Forwarded-For is now believed from ${trusted.entries.join(', ')}.`
        : 'Saved: no proxy is trusted; every request is attributed to the address that connects.',
      values: { trustedProxies: trusted.entries.join(', ') },
    };
  },
});
