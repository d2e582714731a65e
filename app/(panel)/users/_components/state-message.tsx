import type { ActionState } from '@/lib/actions/state';

/** An action's outcome: a refusal as an alert, a success as a polite status. `compact` for table rows. */
export function StateMessage({ state, compact = false }: { state: ActionState; compact?: boolean }) {
  if (!state.message && !(compact && state.fieldErrors)) return null;
  const text = state.message ?? Object.values(state.fieldErrors ?? {}).flat().join(' ');
  if (compact) {
    return (
      <span role={state.ok ? 'status' : 'alert'} className={`block text-xs ${state.ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}>
        {text}
      </span>
    );
  }
  return (
    <p
      role={state.ok ? 'status' : 'alert'}
      className={`rounded-md border p-3 text-sm ${
        state.ok
          ? 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100'
          : 'border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200'
      }`}
    >
      {text}
    </p>
  );
}
