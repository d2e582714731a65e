'use client';

import { useActionState } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';

import { changePasswordAction } from '../actions';
import { KeepApiTokensField } from './keep-api-tokens-field';

// Passwords are never kept after a submission: React resets the form and nothing is echoed back.
export function PasswordForm({ username }: { username: string }) {
  const [state, action, pending] = useActionState(changePasswordAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="max-w-sm space-y-4" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      {/* Lets password managers file the new password under the right account. */}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <Field
        label="Current password"
        name="current"
        type="password"
        autoComplete="current-password"
        errors={errors.current}
        required
      />
      <Field
        label="New password"
        name="next"
        type="password"
        autoComplete="new-password"
        errors={errors.next}
        hint="At least 12 characters"
        required
      />
      <Field
        label="Repeat the new password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        errors={errors.confirm}
        required
      />
      <KeepApiTokensField />
      <p className="text-xs text-muted">
        Changing it signs you out everywhere, here too, and revokes your API tokens unless you keep them: you then sign
        in with the new password.
      </p>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Changing…' : 'Change password'}
      </Button>
    </form>
  );
}
