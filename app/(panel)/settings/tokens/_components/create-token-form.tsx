'use client';

import { useActionState, useState } from 'react';

import { Button } from '@/components/ui/button';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { DateTime } from '@/components/ui/date-time';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { Input } from '@/components/ui/input';
import { initialActionState } from '@/lib/actions/state';
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TOKEN_MIN_DAYS, TOKEN_NAME_MAX } from '@/lib/validation/rules';

import { createTokenAction, revokeTokenAction, type CreatedToken, type CreateTokenState } from '../actions';

export function CreateTokenForm() {
  const [state, action, pending] = useActionState<CreateTokenState, FormData>(createTokenAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <div className="space-y-4">
      {/* Keyed by the token: a second token starts with a fresh "copied" state and is shown again. */}
      {state.created && <NewToken key={state.created.token} created={state.created} />}
      <form action={action} className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-start" noValidate>
        <FormMessage ok={false} message={state.ok ? undefined : state.message} className="sm:col-span-3" />
        <Field
          label="Name"
          name="name"
          defaultValue={state.values?.name}
          errors={errors.name}
          maxLength={TOKEN_NAME_MAX}
          placeholder="e.g. CI deploys"
          hint="What uses it, so you know what breaks when you revoke it"
          autoComplete="off"
          required
        />
        <Field
          label="Expires after (days)"
          name="expiresInDays"
          type="number"
          inputMode="numeric"
          min={TOKEN_MIN_DAYS}
          max={TOKEN_MAX_DAYS}
          step={1}
          defaultValue={state.values?.expiresInDays ?? String(TOKEN_DEFAULT_DAYS)}
          errors={errors.expiresInDays}
          hint={`${TOKEN_MIN_DAYS} to ${TOKEN_MAX_DAYS} days; it cannot be extended later`}
          required
        />
        <Button type="submit" variant="primary" disabled={pending} className="sm:mt-6">
          {pending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
    </div>
  );
}

function NewToken({ created }: { created: CreatedToken }) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [dismissed, setDismissed] = useState(false);
  if (dismissed) return null;

  async function copyToken() {
    try {
      // Needs a secure context (https or localhost); otherwise the person copies it by hand.
      await navigator.clipboard.writeText(created.token);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  }

  return (
    <section
      aria-labelledby="new-token-title"
      className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <h3 id="new-token-title" className="font-semibold">
        Copy your new token “{created.name}” now: it will not be shown again
      </h3>
      <p>
        Slipway keeps only a hash of it, so nobody (not even an administrator) can show it to you later. Keep it in a
        secret store; if you lose it, revoke it and create another. It acts as you, with your role at the time of each
        request, until <DateTime value={created.expiresAt} />.
      </p>
      <div className="flex gap-2">
        <Input
          readOnly
          value={created.token}
          aria-label="New API token"
          className="font-mono text-xs"
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <Button type="button" variant="primary" onClick={copyToken}>
          {copy === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p aria-live="polite" className="text-xs">
        {copy === 'copied' && 'Copied to the clipboard.'}
        {copy === 'failed' && 'The browser did not allow copying: select the token and press Ctrl+C (⌘C).'}
      </p>
      <Button type="button" variant="ghost" onClick={() => setDismissed(true)}>
        I have stored it: hide the token
      </Button>
    </section>
  );
}

/** One token's revoke button; a refusal shows under it. */
export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  return (
    <ConfirmForm
      action={revokeTokenAction}
      question={`Revoke the token "${name}"? Anything using it stops working at once.`}
      fields={{ tokenId }}
      label="Revoke"
      pendingLabel="Revoking…"
      variant="ghost"
      danger
      compact
      className="flex flex-col items-end gap-1"
    />
  );
}
