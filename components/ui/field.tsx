import { useId, type ComponentProps, type ReactNode } from 'react';

import { FieldError } from './field-error';
import { Input } from './input';
import { Textarea } from './textarea';

export type FieldShell = {
  label: ReactNode;
  errors?: string[];
  hint?: string;
  /** Adds a quiet "(optional)" to the label. */ optional?: boolean;
};

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

type Control = ReturnType<typeof useFieldIds>['control'];

/** The label, hint and errors around one control; `children` renders the control with its ids and aria. */
export function Shell({
  label,
  optional,
  errors,
  hint,
  name,
  children,
}: FieldShell & { name: string; children: (control: Control) => ReactNode }) {
  const ids = useFieldIds(name, errors, hint);
  return (
    <div className="block space-y-1 text-sm">
      <label htmlFor={ids.id} className="block font-medium">
        {label}
        {optional && <span className="font-normal text-muted"> (optional)</span>}
      </label>
      {children(ids.control)}
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
export function Field({
  label,
  optional,
  errors,
  hint,
  ...props
}: ComponentProps<'input'> & FieldShell & { name: string }) {
  return (
    <Shell {...{ label, optional, errors, hint, name: props.name }}>
      {(control) => <Input {...control} {...props} />}
    </Shell>
  );
}

/** Field's multi-line sibling (descriptions, pasted text). */
export function TextareaField({
  label,
  optional,
  errors,
  hint,
  ...props
}: ComponentProps<'textarea'> & FieldShell & { name: string }) {
  return (
    <Shell {...{ label, optional, errors, hint, name: props.name }}>
      {(control) => <Textarea {...control} {...props} />}
    </Shell>
  );
}
