// The form-level outcome of a server action: a refusal as an alert, a success as a polite status. No hooks, so
// server and client components may render it. `compact` is the one-line form for table rows and button rows: the
// same words in the same colour, without the box.
const TONE = {
  error: ['text-red-800 dark:text-red-200', 'border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950'],
  success: [
    'text-emerald-900 dark:text-emerald-200',
    'border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950',
  ],
};

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
  const [text, box] = TONE[ok ? 'success' : 'error'];
  return (
    <p
      role={ok ? 'status' : 'alert'}
      className={`${text} ${compact ? 'text-xs' : `rounded-md border p-3 text-sm ${box}`} ${className}`}
    >
      {message}
    </p>
  );
}
