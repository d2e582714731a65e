'use client';

// The controls of one row of the users table. The page shows only those can() allows; the actions check again.
import { useActionState } from 'react';

import { RoleSelect } from '@/components/role-select';
import { Button } from '@/components/ui/button';
import { ConfirmForm, stateText } from '@/components/ui/confirm-form';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';
import type { PlatformRole } from '@/lib/auth/permissions';

import { changeRoleAction, setDisabledAction, signOutUserAction } from '../actions';
import { PLATFORM_ROLE_LABELS } from './role-labels';

type Target = { id: string; username: string; role: PlatformRole };

export function RoleForm({ user, roles }: { user: Target; roles: readonly PlatformRole[] }) {
  const [state, action, pending] = useActionState(changeRoleAction, initialActionState);
  return (
    <form action={action} className="space-y-1">
      <input type="hidden" name="userId" value={user.id} />
      <div className="flex items-center gap-2">
        <RoleSelect
          name="role"
          roles={roles}
          labels={PLATFORM_ROLE_LABELS}
          defaultValue={user.role}
          aria-label={`Role of ${user.username}`}
        />
        <Button type="submit" disabled={pending} title="Changing the role ends their sessions">
          {pending ? 'Saving…' : 'Save'}
        </Button>
      </div>
      <FormMessage ok={state.ok} message={stateText(state)} compact />
    </form>
  );
}

export function DisableForm({ user, disabled }: { user: Target; disabled: boolean }) {
  return (
    <ConfirmForm
      action={setDisabledAction}
      question={
        disabled
          ? `Enable ${user.username}? They can sign in again; the API tokens revoked when they were disabled stay revoked.`
          : `Disable ${user.username}? They are signed out at once, cannot sign in until enabled, and their API tokens are revoked.`
      }
      fields={{ userId: user.id, disabled: disabled ? 'false' : 'true' }}
      label={disabled ? 'Enable' : 'Disable'}
      pendingLabel="Saving…"
      variant="ghost"
      danger={!disabled}
      compact
    />
  );
}

export function SignOutUserForm({ user }: { user: Target }) {
  return (
    <ConfirmForm
      action={signOutUserAction}
      question={`Sign ${user.username} out on every device and revoke their API tokens?`}
      fields={{ userId: user.id }}
      label="Sign out everywhere"
      pendingLabel="Signing out…"
      variant="ghost"
      compact
    />
  );
}
