'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { initialActionState } from '@/lib/actions/state';
import type { PlatformRole } from '@/lib/auth/permissions';
import { createUserAction } from '../actions';
import { RoleSelect } from './role-select';
import { StateMessage } from './state-message';

/** `roles`: the roles this administrator may give (an admin never makes a super_admin). */
export function CreateUserForm({ roles }: { roles: readonly PlatformRole[] }) {
  const [state, action, pending] = useActionState(createUserAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <StateMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Username" name="username" autoComplete="off" defaultValue={state.values?.username} errors={errors.username} hint="3–50 characters: a–z, 0–9, _ and -" required />
        <Field label="Email" name="email" type="email" autoComplete="off" defaultValue={state.values?.email} errors={errors.email} required />
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Role</span>
          <RoleSelect
            name="role"
            roles={roles}
            defaultValue={state.values?.role ?? (roles.includes('developer') ? 'developer' : roles[0])}
            aria-invalid={errors.role ? true : undefined}
            aria-describedby={errors.role ? 'role-error' : undefined}
            className="w-full"
          />
          {errors.role && (
            <span id="role-error" role="alert" className="block text-xs text-red-700 dark:text-red-400">
              {errors.role.join(' ')}
            </span>
          )}
        </label>
        <div className="hidden sm:block" />
        <Field label="Password" name="password" type="password" autoComplete="new-password" errors={errors.password} hint="At least 12 characters" required />
        <Field label="Repeat the password" name="confirm" type="password" autoComplete="new-password" errors={errors.confirm} required />
      </div>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Creating…' : 'Create user'}
      </Button>
    </form>
  );
}
