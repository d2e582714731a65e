import type { ComponentProps } from 'react';

import { Shell, type FieldShell } from './field';

/** A native <select> with the Input look (native keeps keyboard and screen-reader behaviour for free). */
export function Select({ className = '', ...props }: ComponentProps<'select'>) {
  return (
    <select
      className={`h-9 rounded-md border border-border bg-surface px-2 text-sm text-foreground aria-invalid:border-red-600 dark:aria-invalid:border-red-400 ${className}`}
      {...props}
    />
  );
}

// Beside Select rather than in field.tsx: a page whose forms have no select does not ship the Select code.
/** A labelled native <select> (provider, role, team, volume…), with its hint and errors like Field. */
export function SelectField({
  label,
  optional,
  errors,
  hint,
  className = '',
  ...props
}: ComponentProps<'select'> & FieldShell & { name: string }) {
  return (
    <Shell {...{ label, optional, errors, hint, name: props.name }}>
      {(control) => <Select {...control} className={`w-full ${className}`} {...props} />}
    </Shell>
  );
}
