// The form-level outcome of a server action: a refusal as an alert, a success as a polite status. No hooks, so
// server and client components may render it. `compact` is the one-line form for table rows and button rows.
import type { ActionState } from '@/lib/actions/state';

const TONE = {
  error: 'border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200',
  success:
    'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
} as const;

const COMPACT_TONE = { error: 'text-red-700 dark:text-red-400', success: 'text-emerald-700 dark:text-emerald-400' } as const;

export function FormMessage({
  ok,
  message,
  compact = false,
  className = '',
}: {
  ok: boolean;
  message?: string;
  compact?: boolean;
  className?: string;
}) {
  if (!message) return null;
  const tone = ok ? 'success' : 'error';
  if (compact) {
    return (
      <span role={ok ? 'status' : 'alert'} className={`block text-xs ${COMPACT_TONE[tone]} ${className}`}>
        {message}
      </span>
    );
  }
  return (
    <p role={ok ? 'status' : 'alert'} className={`rounded-md border p-3 text-sm ${TONE[tone]} ${className}`}>
      {message}
    </p>
  );
}

/** What a row's compact message says: the action's message, or its field errors where a row has no fields to show them. */
export function stateText(state: ActionState): string | undefined {
  return state.message ?? (Object.values(state.fieldErrors ?? {}).flat().join(' ') || undefined);
}
