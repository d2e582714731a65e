'use client';

// A success toast for a server action's result: shown when a new successful ActionState arrives, gone after a few
// seconds or on Escape. Refusals are not toasts: they stay beside the form (FormMessage) until fixed.
import { useEffect, useState } from 'react';

import type { ActionState } from '@/lib/actions/state';

const VISIBLE_MS = 4000;

export function ActionToast({ state }: { state: ActionState }) {
  // Each action result is a new object: remembering which one was dismissed is all the state a toast needs.
  const [dismissed, setDismissed] = useState<ActionState | null>(null);
  const visible = state.ok && Boolean(state.message) && dismissed !== state;

  useEffect(() => {
    if (!visible) return;
    const timer = setTimeout(() => setDismissed(state), VISIBLE_MS);
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setDismissed(state);
    };
    window.addEventListener('keydown', onKey);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('keydown', onKey);
    };
  }, [state, visible]);

  if (!visible) return null;
  return (
    <div
      role="status"
      data-testid="toast"
      className="fixed right-4 bottom-4 z-50 max-w-sm rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 shadow-lg dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100"
    >
      {state.message}
    </div>
  );
}
