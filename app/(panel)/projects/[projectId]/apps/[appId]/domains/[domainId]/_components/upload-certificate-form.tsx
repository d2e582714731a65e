'use client';

import { useActionState } from 'react';

import { Button } from '@/components/ui/button';
import { TextareaField } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';
import { CERTIFICATE_CHAIN_MAX_BYTES, CERTIFICATE_KEY_MAX_BYTES } from '@/lib/validation/rules';

import { uploadCertificateAction } from '../actions';

const mono = 'font-mono text-xs';

export function UploadCertificateForm({ domainId, domain }: { domainId: string; domain: string }) {
  const [state, action, pending] = useActionState(uploadCertificateAction, initialActionState);
  return (
    <form action={action} className="space-y-4" noValidate data-testid="upload-certificate">
      <FormMessage ok={state.ok} message={state.message} />
      <input type="hidden" name="domainId" value={domainId} />
      <TextareaField
        label="Certificate chain (PEM)"
        name="chain"
        rows={8}
        className={mono}
        // React resets the form after each submission: a refusal puts the chain back, never the key.
        defaultValue={state.ok ? '' : (state.values?.chain ?? '')}
        errors={state.fieldErrors?.chain}
        maxLength={CERTIFICATE_CHAIN_MAX_BYTES}
        placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----'}
        hint={`The certificate for ${domain} first, then each intermediate in turn.`}
        spellCheck={false}
        autoComplete="off"
      />
      <TextareaField
        label="Private key (PEM)"
        name="key"
        rows={6}
        className={mono}
        defaultValue=""
        errors={state.fieldErrors?.key}
        maxLength={CERTIFICATE_KEY_MAX_BYTES}
        placeholder={'-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----'}
        hint="Unencrypted. It is stored encrypted and never shown again; paste it again after a refusal."
        spellCheck={false}
        autoComplete="off"
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Checking…' : 'Upload certificate'}
      </Button>
    </form>
  );
}
