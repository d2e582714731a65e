import type { ComponentProps } from 'react';

/** A native <select> with the Input look (native keeps keyboard and screen-reader behaviour for free). */
export function Select({ className = '', ...props }: ComponentProps<'select'>) {
  return (
    <select
      className={`h-9 rounded-md border border-border bg-surface px-2 text-sm text-foreground aria-invalid:border-red-600 dark:aria-invalid:border-red-400 ${className}`}
      {...props}
    />
  );
}
