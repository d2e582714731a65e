import { useId, type ComponentProps, type ReactNode } from 'react';
import { FieldError } from './field-error';
import { Input } from './input';
import { Select } from './select';
import { Textarea } from './textarea';

type FieldShell = { label: ReactNode; errors?: string[]; hint?: string };

// The label names the control; the hint and the errors describe it (aria-describedby), so a screen reader hears
// "Branch" as the name and the rules as its description, and tests can find the field by its label alone.
// The error keeps the id `<name>-error` that the other fields' FieldError use, so pages and tests find it alike.
function useFieldIds(name: string, errors?: string[], hint?: string) {
  const id = useId();
  const invalid = Boolean(errors?.length);
  const hintId = hint && !invalid ? `${id}-hint` : undefined;
  const errorId = invalid ? `${name}-error` : undefined;
  return {
    id,
    hintId,
    errorId,
    control: {
      id,
      'aria-invalid': invalid || undefined,
      'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') || undefined,
    },
  };
}

function Shell({ label, errors, hint, ids, children }: FieldShell & { ids: ReturnType<typeof useFieldIds>; children: ReactNode }) {
  return (
    <div className="block space-y-1 text-sm">
      <label htmlFor={ids.id} className="block font-medium">
        {label}
      </label>
      {children}
      {ids.hintId && (
        <span id={ids.hintId} className="block text-xs text-muted">
          {hint}
        </span>
      )}
      {ids.errorId && <FieldError id={ids.errorId} errors={errors} />}
    </div>
  );
}

/** A labelled input with its error right beside it, keeping what was typed via defaultValue. */
export function Field({ label, name, errors, hint, ...props }: ComponentProps<'input'> & FieldShell & { name: string }) {
  const ids = useFieldIds(name, errors, hint);
  return (
    <Shell label={label} errors={errors} hint={hint} ids={ids}>
      <Input name={name} {...ids.control} {...props} />
    </Shell>
  );
}

/** Field's multi-line sibling (descriptions, pasted text). */
export function TextareaField({ label, name, errors, hint, ...props }: ComponentProps<'textarea'> & FieldShell & { name: string }) {
  const ids = useFieldIds(name, errors, hint);
  return (
    <Shell label={label} errors={errors} hint={hint} ids={ids}>
      <Textarea name={name} {...ids.control} {...props} />
    </Shell>
  );
}

/** A labelled native <select> (provider, role, team, volume…), with its hint and errors like Field. */
export function SelectField({
  label,
  name,
  errors,
  hint,
  className = '',
  children,
  ...props
}: ComponentProps<'select'> & FieldShell & { name: string }) {
  const ids = useFieldIds(name, errors, hint);
  return (
    <Shell label={label} errors={errors} hint={hint} ids={ids}>
      <Select name={name} className={`w-full ${className}`} {...ids.control} {...props}>
        {children}
      </Select>
    </Shell>
  );
}
