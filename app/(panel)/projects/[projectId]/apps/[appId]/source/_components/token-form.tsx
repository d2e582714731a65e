'use client';

// The access token form RepositoryAccess opens. The token is write-only: never echoed back, not even after a
// refused save.
import { useState, useTransition, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState, type ActionState } from '@/lib/actions/state';
import { ACCESS_TOKEN_MAX, TOKEN_USERNAME_MAX } from '@/lib/validation/git-source-limits';

import { setAccessTokenAction } from '../actions';

export type TokenFormProps = {
  applicationId: string;
  defaultUsername: string;
  tokenSteps: string;
  replacing: string | null;
  onDone: (state: ActionState) => void;
  onCancel: () => void;
};

/** Not a plain `<form action>`: React would clear the token field after a refused save, and the token is never echoed. */
export function TokenForm({ applicationId, defaultUsername, tokenSteps, replacing, onDone, onCancel }: TokenFormProps) {
  const [state, setState] = useState<ActionState>(initialActionState);
  const [pending, startTransition] = useTransition();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => {
      const next = await setAccessTokenAction(state, data);
      if (next.ok) onDone(next);
      else setState(next);
    });
  };
  return (
    <form
      onSubmit={submit}
      className="max-w-xl space-y-3 rounded-md border border-border p-4"
      noValidate
      aria-label="Access token"
    >
      <FormMessage ok={false} message={state.ok ? undefined : state.message} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <p className="text-xs text-muted">{tokenSteps}</p>
      <Field
        label="Access token"
        name="token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        maxLength={ACCESS_TOKEN_MAX}
        errors={state.fieldErrors?.token}
        className="font-mono"
        required
      />
      <Field
        label="User name"
        optional
        name="username"
        defaultValue={state.values?.username}
        placeholder={defaultUsername}
        hint={`Sent beside the token. Blank: ${defaultUsername}, what the provider expects for its tokens.`}
        autoComplete="off"
        spellCheck={false}
        maxLength={TOKEN_USERNAME_MAX}
        errors={state.fieldErrors?.username}
      />
      {replacing && (
        <p className="text-xs text-amber-800 dark:text-amber-300">{`Saving replaces the current ${replacing}.`}</p>
      )}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Saving…' : 'Save token'}
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
