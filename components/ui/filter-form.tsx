// The GET filter form of the list pages (dashboard, users, audit log): a search landmark, labelled fields with their
// error below, Filter and (when something is filtered) Clear. Server-rendered; it ships no JavaScript.
import Link from 'next/link';
import type { ReactNode } from 'react';

import { Button, buttonClasses } from './button';

export function FilterForm({
  action,
  label,
  filtered,
  children,
}: {
  /** The page's own path: the form submits to it, and Clear goes back to it. */
  action: string;
  /** The search landmark's name ("Filter users"). */
  label: string;
  filtered: boolean;
  children: ReactNode;
}) {
  return (
    <form action={action} method="get" role="search" aria-label={label} className="flex flex-wrap items-start gap-3">
      {children}
      <div className="flex gap-2 sm:mt-5">
        <Button type="submit" variant="primary">
          Filter
        </Button>
        {filtered && (
          <Link href={action} className={buttonClasses('ghost')}>
            Clear
          </Link>
        )}
      </div>
    </form>
  );
}

/** One filter: its label above, the control, and the first error below (the control takes `filterInvalid(id, errors)`). */
export function FilterField({
  id,
  label,
  errors,
  className,
  children,
}: {
  id: string;
  label: string;
  errors?: readonly string[];
  /** Its width from the small breakpoint up (`sm:w-48`). */
  className: string;
  children: ReactNode;
}) {
  return (
    <div className={`flex w-full flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-xs font-medium text-muted">
        {label}
      </label>
      {children}
      {errors?.[0] && (
        <p id={`${id}-error`} className="text-xs text-red-700 dark:text-red-400">
          {errors[0]}
        </p>
      )}
    </div>
  );
}

/** The control's half of a FilterField's error: marked invalid and described by the message. */
export function filterInvalid(id: string, errors?: readonly string[]) {
  return errors?.[0] ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
}
