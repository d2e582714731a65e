'use client';

import { ConfirmForm } from '@/components/ui/confirm-form';

import { deleteTeamAction, leaveTeamAction } from '../actions';

/** Both actions redirect to /teams when they work; a refusal (the last owner leaving) is shown here. */
export function LeaveTeamButton({ teamId, teamName }: { teamId: string; teamName: string }) {
  return (
    <ConfirmForm
      action={leaveTeamAction}
      question={`Leave ${teamName}? You lose access to its projects until someone adds you again.`}
      fields={{ teamId }}
      label="Leave team"
      pendingLabel="Leaving…"
    />
  );
}

export function DeleteTeamButton({ teamId, teamName }: { teamId: string; teamName: string }) {
  return (
    <ConfirmForm
      action={deleteTeamAction}
      question={`Delete the team ${teamName}? Every member loses access through it; its projects stay with their owners.`}
      fields={{ teamId }}
      label="Delete team"
      pendingLabel="Deleting…"
      danger
    />
  );
}
