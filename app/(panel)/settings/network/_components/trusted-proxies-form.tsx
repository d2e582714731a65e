'use client';

import { useActionState } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';
import { TRUSTED_PROXIES_MAX_LENGTH } from '@/lib/validation/rules';

import { updateTrustedProxiesAction } from '../actions';

export function TrustedProxiesForm({ saved }: { saved: string }) {
  const [state, action, pending] = useActionState(updateTrustedProxiesAction, initialActionState);
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      <Field
        label="Trusted proxies"
        name="trustedProxies"
        defaultValue={state.values?.trustedProxies ?? saved}
        errors={state.fieldErrors?.trustedProxies}
        maxLength={TRUSTED_PROXIES_MAX_LENGTH}
        placeholder="e.g. 172.18.0.1, 10.0.0.0/8"
        hint="IP addresses or CIDR ranges, separated by commas. Leave empty when nothing sits in front of the panel."
        autoComplete="off"
        spellCheck={false}
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Saving…' : 'Save'}
      </Button>
    </form>
  );
}
