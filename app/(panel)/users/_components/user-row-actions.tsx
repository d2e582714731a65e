'use client';
// The controls of one row of the users table. The page shows only those can() allows; the actions check again.

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { initialActionState } from '@/lib/actions/state';
import type { PlatformRole } from '@/lib/auth/permissions';
import { changeRoleAction, setDisabledAction, signOutUserAction } from '../actions';
import { RoleSelect } from './role-select';
import { StateMessage } from './state-message';

type Target = { id: string; username: string; role: PlatformRole };

export function RoleForm({ user, roles }: { user: Target; roles: readonly PlatformRole[] }) {
  const [state, action, pending] = useActionState(changeRoleAction, initialActionState);
  return (
    <form action={action} className="space-y-1">
      <input type="hidden" name="userId" value={user.id} />
      <div className="flex items-center gap-2">
        <RoleSelect name="role" roles={roles} defaultValue={user.role} aria-label={`Role of ${user.username}`} />
        <Button type="submit" disabled={pending} title="Changing the role ends their sessions">
          {pending ? 'Saving…' : 'Save'}
        </Button>
      </div>
      <StateMessage state={state} compact />
    </form>
  );
}

export function DisableForm({ user, disabled }: { user: Target; disabled: boolean }) {
  const [state, action, pending] = useActionState(setDisabledAction, initialActionState);
  const question = disabled
    ? `Enable ${user.username}? They can sign in again and their API tokens work again.`
    : `Disable ${user.username}? They are signed out at once, and cannot sign in or use API tokens until enabled.`;
  return (
    <form
      action={action}
      className="space-y-1"
      onSubmit={(event) => {
        if (!window.confirm(question)) event.preventDefault();
      }}
    >
      <input type="hidden" name="userId" value={user.id} />
      <input type="hidden" name="disabled" value={disabled ? 'false' : 'true'} />
      <Button type="submit" variant="ghost" disabled={pending} className={disabled ? '' : 'text-red-700 dark:text-red-400'}>
        {pending ? 'Saving…' : disabled ? 'Enable' : 'Disable'}
      </Button>
      <StateMessage state={state} compact />
    </form>
  );
}

export function SignOutUserForm({ user }: { user: Target }) {
  const [state, action, pending] = useActionState(signOutUserAction, initialActionState);
  return (
    <form
      action={action}
      className="space-y-1"
      onSubmit={(event) => {
        if (!window.confirm(`Sign ${user.username} out on every device?`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="userId" value={user.id} />
      <Button type="submit" variant="ghost" disabled={pending}>
        {pending ? 'Signing out…' : 'Sign out everywhere'}
      </Button>
      <StateMessage state={state} compact />
    </form>
  );
}
