'use client';

import { useActionState } from 'react';

import { RoleSelect } from '@/components/role-select';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';
import type { TeamRole } from '@/lib/auth/permissions';

import { addMemberAction, changeMemberRoleAction, removeMemberAction } from '../actions';
import { TEAM_ROLE_LABELS } from './role-labels';

/** `roles`: what this person may give (owners only give `owner`). */
export function AddMemberForm({ teamId, roles }: { teamId: string; roles: readonly TeamRole[] }) {
  const [state, action, pending] = useActionState(addMemberAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="grid gap-4 sm:grid-cols-[1fr_auto_auto] sm:items-start" noValidate>
      <FormMessage ok={state.ok} message={state.message} className="sm:col-span-3" />
      <input type="hidden" name="teamId" value={teamId} />
      <Field
        label="Username"
        name="username"
        defaultValue={state.ok ? undefined : state.values?.username}
        errors={errors.username}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        placeholder="e.g. jane_doe"
        required
      />
      <RoleSelect
        field={{ label: 'Role', name: 'role', errors: errors.role }}
        roles={roles}
        labels={TEAM_ROLE_LABELS}
        defaultValue={state.values?.role ?? 'member'}
        className="block sm:w-80"
      />
      <Button type="submit" variant="primary" disabled={pending} className="sm:mt-6">
        {pending ? 'Adding…' : 'Add member'}
      </Button>
    </form>
  );
}

/** One member's role picker and remove button, with the outcome beside them. */
export function MemberControls({
  teamId,
  userId,
  username,
  role,
  roles,
  removable,
}: {
  teamId: string;
  userId: string;
  username: string;
  role: TeamRole;
  roles: readonly TeamRole[];
  removable: boolean;
}) {
  const [roleState, changeRole, changing] = useActionState(changeMemberRoleAction, initialActionState);
  const [removeState, remove, removing] = useActionState(removeMemberAction, initialActionState);
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex flex-wrap items-center justify-end gap-2">
        <form action={changeRole} className="flex items-center gap-2">
          <input type="hidden" name="teamId" value={teamId} />
          <input type="hidden" name="userId" value={userId} />
          <RoleSelect name="role" roles={roles} defaultValue={role} aria-label={`Role of ${username}`} />
          <Button type="submit" disabled={changing}>
            {changing ? 'Saving…' : 'Change role'}
          </Button>
        </form>
        {removable && (
          <form
            action={remove}
            onSubmit={(event) => {
              if (!window.confirm(`Remove ${username} from the team? They lose access to its projects.`))
                event.preventDefault();
            }}
          >
            <input type="hidden" name="teamId" value={teamId} />
            <input type="hidden" name="userId" value={userId} />
            <Button type="submit" variant="ghost" disabled={removing} className="text-red-700 dark:text-red-400">
              {removing ? 'Removing…' : 'Remove'}
            </Button>
          </form>
        )}
      </div>
      {[roleState, removeState].map((state, index) =>
        state.message ? (
          <span
            key={index}
            role={state.ok ? 'status' : 'alert'}
            className={`text-xs ${state.ok ? 'text-muted' : 'text-red-700 dark:text-red-400'}`}
          >
            {state.message}
          </span>
        ) : null,
      )}
    </div>
  );
}
