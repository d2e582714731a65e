'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { initialActionState } from '@/lib/actions/state';
import { signOutEverywhereAction } from '../actions';
import { FormMessage } from '@/components/ui/form-message';

export function SignOutEverywhereForm() {
  const [state, action, pending] = useActionState(signOutEverywhereAction, initialActionState);
  return (
    <form
      action={action}
      className="space-y-3"
      onSubmit={(event) => {
        if (!window.confirm('Sign out on every device and browser, this one included?')) event.preventDefault();
      }}
    >
      <FormMessage ok={state.ok} message={state.message} />
      <Button type="submit" disabled={pending} className="text-red-700 dark:text-red-400">
        {pending ? 'Signing out…' : 'Sign out everywhere'}
      </Button>
    </form>
  );
}
