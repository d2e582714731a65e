'use client';

import { useActionState } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { initialActionState } from '@/lib/actions/state';

import { setupAction } from './actions';

export function SetupForm() {
  const [state, action, pending] = useActionState(setupAction, initialActionState);
  const errors = state.fieldErrors ?? {};
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
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        defaultValue={state.values?.username}
        errors={errors.username}
        hint="3–50 characters: a–z, 0–9, _ and -"
        required
      />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        defaultValue={state.values?.email}
        errors={errors.email}
        required
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        errors={errors.password}
        hint="At least 12 characters"
        required
      />
      <Field
        label="Repeat the password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        errors={errors.confirm}
        required
      />
      <Button type="submit" variant="primary" disabled={pending} className="w-full">
        {pending ? 'Creating…' : 'Create the administrator'}
      </Button>
    </form>
  );
}
