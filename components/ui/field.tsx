import type { ComponentProps } from 'react';
import { Input } from './input';

/** A labelled input with its error right beside it (aria-describedby), keeping what was typed via defaultValue. */
export function Field({ label, name, errors, hint, ...props }: ComponentProps<'input'> & { label: string; name: string; errors?: string[]; hint?: string }) {
  const errorId = `${name}-error`;
  return (
    <label className="block space-y-1 text-sm">
      <span className="font-medium">{label}</span>
      <Input name={name} aria-invalid={errors?.length ? true : undefined} aria-describedby={errors?.length ? errorId : undefined} {...props} />
      {hint && !errors?.length && <span className="block text-xs text-muted">{hint}</span>}
      {errors?.length ? (
        <span id={errorId} role="alert" className="block text-xs text-red-700 dark:text-red-400">
          {errors.join(' ')}
        </span>
      ) : null}
    </label>
  );
}
