'use server';

// Certificate settings (administrators): the ACME account, CA, the Cloudflare token and the panel's own domain. updateAcmeSettings checks
// settings.manage and audits in its transaction; the proxy is asked to sync once that has committed. The token is
// never echoed back to the form.
import { formAction } from '@/lib/actions/form-action';
import { requestProxySync } from '@/lib/proxy/sync';
import { updateAcmeSettings } from '@/lib/settings/acme';
import { acmeSettingsSchema } from '@/lib/validation/certificate';
import { displayHostname } from '@/lib/validation/hostname';

export const updateAcmeSettingsAction = formAction({
  schema: acmeSettingsSchema,
  keys: ['acmeEmail', 'acmeCa', 'acmeDirectoryUrl', 'cloudflareToken', 'clearCloudflareToken', 'panelDomain'],
  echo: ['acmeEmail', 'acmeCa', 'acmeDirectoryUrl', 'panelDomain'],
  run: (tx, ctx, input) => updateAcmeSettings(tx, ctx, input),
  as: 'system',
  revalidate: ['/settings/certificates'],
  success: (view) => {
    requestProxySync('settings');
    return {
      message: `Saved. The Cloudflare token is ${view.cloudflareTokenSet ? 'set' : 'not set'}; ${view.panelDomain ? `the proxy serves the panel at https://${view.panelDomain}` : 'the proxy does not serve the panel on a domain'}; the proxy uses the new settings for the next certificate it issues.`,
      values: {
        acmeEmail: view.acmeEmail,
        acmeCa: view.acmeCa,
        acmeDirectoryUrl: view.acmeDirectoryUrl,
        panelDomain: displayHostname(view.panelDomain),
      },
    };
  },
});
