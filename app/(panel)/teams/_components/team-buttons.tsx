'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { initialActionState } from '@/lib/actions/state';
import { deleteTeamAction, leaveTeamAction } from '../actions';
import { FormMessage } from './form-bits';

/** Both actions redirect to /teams when they work; a refusal (the last owner leaving) is shown here. */
export function LeaveTeamButton({ teamId, teamName }: { teamId: string; teamName: string }) {
  const [state, action, pending] = useActionState(leaveTeamAction, initialActionState);
  return (
    <form
      action={action}
      className="space-y-2"
      onSubmit={(event) => {
        if (!window.confirm(`Leave ${teamName}? You lose access to its projects until someone adds you again.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="teamId" value={teamId} />
      <FormMessage ok={state.ok} message={state.message} />
      <Button type="submit" disabled={pending}>
        {pending ? 'Leaving…' : 'Leave team'}
      </Button>
    </form>
  );
}

export function DeleteTeamButton({ teamId, teamName }: { teamId: string; teamName: string }) {
  const [state, action, pending] = useActionState(deleteTeamAction, initialActionState);
  return (
    <form
      action={action}
      className="space-y-2"
      onSubmit={(event) => {
        const question = `Delete the team ${teamName}? Every member loses access through it; its projects stay with their owners.`;
        if (!window.confirm(question)) event.preventDefault();
      }}
    >
      <input type="hidden" name="teamId" value={teamId} />
      <FormMessage ok={state.ok} message={state.message} />
      <Button type="submit" disabled={pending} className="border-red-300 text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950">
        {pending ? 'Deleting…' : 'Delete team'}
      </Button>
    </form>
  );
}
