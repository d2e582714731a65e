// The form-level outcome of a server action: a refusal as an alert, a success as a polite status. No hooks, so
// server and client components may render it.
const TONE = {
  error: 'border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200',
  success:
    'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
} as const;

export function FormMessage({ ok, message, className = '' }: { ok: boolean; message?: string; className?: string }) {
  if (!message) return null;
  return (
    <p role={ok ? 'status' : 'alert'} className={`rounded-md border p-3 text-sm ${TONE[ok ? 'success' : 'error']} ${className}`}>
      {message}
    </p>
  );
}
