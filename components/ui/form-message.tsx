// The form-level outcome of a server action: a refusal as an alert, a success as a polite status. No hooks, so
// server and client components may render it. `compact` is the one-line form for table rows and button rows.
const TONE = {
  error: ['border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200', 'text-red-700 dark:text-red-400'],
  success: [
    'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
    'text-emerald-700 dark:text-emerald-400',
  ],
} as const;

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
  const Tag = compact ? 'span' : 'p';
  const [boxed, inline] = TONE[ok ? 'success' : 'error'];
  return (
    <Tag
      role={ok ? 'status' : 'alert'}
      className={`${compact ? `block text-xs ${inline}` : `rounded-md border p-3 text-sm ${boxed}`} ${className}`}
    >
      {message}
    </Tag>
  );
}
