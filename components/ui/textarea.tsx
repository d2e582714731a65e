import type { ComponentProps } from 'react';

/** A multi-line input with the Input look; aria-invalid gives it the error border. */
export function Textarea({ className = '', ...props }: ComponentProps<'textarea'>) {
  return (
    <textarea
      className={`w-full rounded-md border border-border bg-surface px-3 py-2 text-sm text-foreground placeholder:text-muted aria-invalid:border-red-600 dark:aria-invalid:border-red-400 ${className}`}
      {...props}
    />
  );
}
