'use client';

// A one-button form that asks first: leave or delete a team, revoke a token, disable a user, sign out everywhere.
// The browser's confirm() asks the question (nothing posts if the person says no); the button says what is happening
// while the action runs; the outcome shows above the button, or under it in one line (`compact`) in a table row.
import { useActionState, type ReactNode } from 'react';

import { initialActionState, type ActionState } from '@/lib/actions/state';

import { Button, type ButtonVariant } from './button';
import { FormMessage } from './form-message';

/** What a one-line outcome says: the action's message, or its field errors where a row has no fields to show them. */
export function stateText(state: ActionState): string | undefined {
  return (
    state.message ??
    (Object.values(state.fieldErrors ?? {})
      .flat()
      .join(' ') ||
      undefined)
  );
}

export function ConfirmForm({
  action,
  question,
  fields = {},
  label,
  pendingLabel,
  variant = 'secondary',
  danger = false,
  compact = false,
  className = compact ? 'space-y-1' : 'space-y-2',
  children,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  question: string;
  /** Hidden inputs: which row the action is for. */
  fields?: Record<string, string>;
  label: string;
  pendingLabel: string;
  variant?: ButtonVariant;
  danger?: boolean;
  compact?: boolean;
  className?: string;
  /** Visible fields the person may set before confirming (a checkbox), shown above the button. */
  children?: ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, initialActionState);
  const message = <FormMessage ok={state.ok} message={stateText(state)} compact={compact} />;
  return (
    <form
      action={formAction}
      className={className}
      onSubmit={(event) => {
        if (!window.confirm(question)) event.preventDefault();
      }}
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {!compact && message}
      {children}
      <Button
        type="submit"
        variant={variant}
        disabled={pending}
        className={danger ? 'text-red-700 dark:text-red-400' : ''}
      >
        {pending ? pendingLabel : label}
      </Button>
      {compact && message}
    </form>
  );
}
