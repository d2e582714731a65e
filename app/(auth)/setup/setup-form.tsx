'use client';

import { useActionState } from 'react';

import { IdentityFields, NewPasswordFields } from '@/components/account-fields';
import { Button } from '@/components/ui/button';
import { initialActionState } from '@/lib/actions/state';

import { setupAction } from './actions';

export function SetupForm() {
  const [state, action, pending] = useActionState(setupAction, initialActionState);
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.message && (
        <p
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {state.message}
        </p>
      )}
      <IdentityFields state={state} own />
      <NewPasswordFields state={state} />
      <Button type="submit" variant="primary" disabled={pending} className="w-full">
        {pending ? 'Creating…' : 'Create the administrator'}
      </Button>
    </form>
  );
}
