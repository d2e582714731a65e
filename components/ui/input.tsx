import type { ComponentProps } from 'react';

/** A text input; aria-invalid gives it the error look, so the state a screen reader hears is the one shown. */
export function Input({ className = '', ...props }: ComponentProps<'input'>) {
  return (
    <input
      className={`h-9 w-full rounded-md border border-border bg-surface px-3 text-sm text-foreground placeholder:text-muted aria-invalid:border-red-600 dark:aria-invalid:border-red-400 ${className}`}
      {...props}
    />
  );
}
