'use client';

import { useActionState } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SelectField } from '@/components/ui/select';
import { initialActionState } from '@/lib/actions/state';
import { ACME_DIRECTORY_MAX_LENGTH, ACME_EMAIL_MAX_LENGTH, CLOUDFLARE_TOKEN_MAX_LENGTH } from '@/lib/validation/rules';

import { updateAcmeSettingsAction } from '../actions';

export type AcmeFormSaved = {
  acmeEmail: string;
  acmeCa: string;
  acmeDirectoryUrl: string;
  cloudflareTokenSet: boolean;
  panelDomain: string;
};

export function AcmeSettingsForm({ saved }: { saved: AcmeFormSaved }) {
  const [state, action, pending] = useActionState(updateAcmeSettingsAction, initialActionState);
  const value = (key: 'acmeEmail' | 'acmeCa' | 'acmeDirectoryUrl' | 'panelDomain') => state.values?.[key] ?? saved[key];
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      <Field
        label="ACME account email"
        name="acmeEmail"
        type="email"
        optional
        defaultValue={value('acmeEmail')}
        errors={state.fieldErrors?.acmeEmail}
        maxLength={ACME_EMAIL_MAX_LENGTH}
        placeholder="ops@example.com"
        hint="The certificate authority writes here about expiring certificates and problems with your account."
        autoComplete="email"
      />
      <SelectField
        // A select ignores a new defaultValue once mounted: remount it with the echoed choice after a refusal.
        key={value('acmeCa')}
        label="Certificate authority"
        name="acmeCa"
        defaultValue={value('acmeCa')}
        errors={state.fieldErrors?.acmeCa}
      >
        <option value="letsencrypt">Let&apos;s Encrypt</option>
        <option value="zerossl">ZeroSSL (needs the email)</option>
        <option value="custom">Another ACME CA (directory URL below)</option>
        <option value="internal">The proxy&apos;s own CA (browsers do not trust it: tests, private networks)</option>
      </SelectField>
      <Field
        label="ACME directory URL"
        name="acmeDirectoryUrl"
        type="url"
        optional
        defaultValue={value('acmeDirectoryUrl')}
        errors={state.fieldErrors?.acmeDirectoryUrl}
        maxLength={ACME_DIRECTORY_MAX_LENGTH}
        placeholder="https://acme.example.com/directory"
        hint="Only for another ACME CA: its directory, over https://."
        autoComplete="off"
        spellCheck={false}
      />
      <fieldset className="space-y-3 rounded-md border border-border p-3">
        <legend className="px-1 text-sm font-medium">Cloudflare API token (DNS-01, for wildcard domains)</legend>
        <p className="text-sm" data-testid="cloudflare-token-state">
          {saved.cloudflareTokenSet ? 'A token is set.' : 'Not set: wildcard domains cannot get a certificate.'}
        </p>
        <Field
          label={saved.cloudflareTokenSet ? 'Replace the token' : 'Token'}
          name="cloudflareToken"
          type="password"
          optional
          defaultValue=""
          errors={state.fieldErrors?.cloudflareToken}
          maxLength={CLOUDFLARE_TOKEN_MAX_LENGTH}
          hint="A token with Zone → DNS → Edit on the zones of your wildcard domains. Leave blank to keep the saved one."
          autoComplete="off"
          spellCheck={false}
        />
        {saved.cloudflareTokenSet && (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="clearCloudflareToken" /> Clear the saved token
          </label>
        )}
      </fieldset>
      <Field
        label="Panel domain"
        name="panelDomain"
        optional
        defaultValue={value('panelDomain')}
        errors={state.fieldErrors?.panelDomain}
        placeholder="panel.example.com"
        hint="Serve this panel at https://<name> through the edge proxy (SLIPWAY_PROXY=swarm or host). Point the name's DNS here and set SLIPWAY_URL=https://<name> so sign-in redirects and Secure session cookies use it. Leave blank to not serve the panel on a domain."
        autoComplete="off"
        spellCheck={false}
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Saving…' : 'Save'}
      </Button>
    </form>
  );
}
