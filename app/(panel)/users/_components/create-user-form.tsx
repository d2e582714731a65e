'use client';

import { useActionState } from 'react';

import { IdentityFields, NewPasswordFields } from '@/components/account-fields';
import { RoleSelect } from '@/components/role-select';
import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';
import type { PlatformRole } from '@/lib/auth/permissions';

import { createUserAction } from '../actions';
import { PLATFORM_ROLE_LABELS } from './role-labels';

/** `roles`: the roles this administrator may give (an admin never makes a super_admin). */
export function CreateUserForm({ roles }: { roles: readonly PlatformRole[] }) {
  const [state, action, pending] = useActionState(createUserAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      <div className="grid gap-4 sm:grid-cols-2">
        <IdentityFields state={state} own={false} />
        <RoleSelect
          field={{ label: 'Role', name: 'role', errors: errors.role }}
          roles={roles}
          labels={PLATFORM_ROLE_LABELS}
          defaultValue={state.values?.role ?? (roles.includes('developer') ? 'developer' : roles[0])}
        />
        <div className="hidden sm:block" />
        <NewPasswordFields state={state} />
      </div>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Creating…' : 'Create user'}
      </Button>
    </form>
  );
}
