'use client';

// Adding one variable, or editing one in place. Not a plain `<form action>`: React resets such a form after every
// submission, and a secret's value is never sent back to refill it, so a refused save would lose what was typed.
// Here the form keeps its fields until the save succeeds (then the add form clears itself).
import { useState, useTransition, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FieldError } from '@/components/ui/field-error';
import { FormMessage } from '@/components/ui/form-message';
import { Textarea } from '@/components/ui/textarea';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState, type ActionState } from '@/lib/actions/state';
import { ENV_KEY_MAX, ENV_KEY_RULE } from '@/lib/validation/rules';

import { setEnvVarAction } from '../actions';

export type EnvVarView = { key: string; isSecret: boolean; value?: string };

type Props = {
  applicationId: string;
  /** The variable being edited; absent for the add form. */
  current?: EnvVarView;
  /** Called with the successful result (the table shows its toast: this form is gone by then). */
  onSaved?: (state: ActionState) => void;
  onCancel?: () => void;
};

export function EnvVarForm({ applicationId, current, onSaved, onCancel }: Props) {
  const [state, setState] = useState<ActionState>(initialActionState);
  const [pending, startTransition] = useTransition();
  const [secret, setSecret] = useState(current?.isSecret ?? false);
  const errors = state.fieldErrors ?? {};
  const editing = current !== undefined;
  const prefix = editing ? `edit-${current.key}` : 'add';

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    startTransition(async () => {
      const next = await setEnvVarAction(state, data);
      setState(next);
      if (!next.ok) return;
      if (!editing) {
        form.reset();
        setSecret(false);
      }
      onSaved?.(next);
    });
  };

  const valueHint = secret
    ? editing && current.isSecret
      ? 'Leave empty to keep the current value. Secrets are encrypted and never shown again after saving.'
      : 'Encrypted when saved; afterwards only a mask is shown.'
    : 'Any text, line breaks included, up to 64 KB. Shown to everyone who can see this application.';

  return (
    <form
      onSubmit={submit}
      className="space-y-3"
      noValidate
      aria-label={editing ? `Edit ${current.key}` : 'Add a variable'}
    >
      <FormMessage ok={state.ok} message={state.ok ? undefined : state.message} />
      {!editing && <ActionToast state={state} />}
      <input type="hidden" name="applicationId" value={applicationId} />
      <input type="hidden" name="mode" value={editing ? 'update' : 'create'} />
      {editing ? (
        <input type="hidden" name="key" value={current.key} />
      ) : (
        <Field
          label="Key"
          name="key"
          errors={errors.key}
          maxLength={ENV_KEY_MAX}
          hint={ENV_KEY_RULE}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          placeholder="DATABASE_URL"
          required
        />
      )}
      {editing && errors.key && <FieldError id={`${prefix}-key-error`} errors={errors.key} />}
      <label className="block space-y-1 text-sm">
        <span className="font-medium">{editing ? `Value of ${current.key}` : 'Value'}</span>
        <Textarea
          name="value"
          rows={2}
          defaultValue={editing && !current.isSecret ? current.value : undefined}
          placeholder={editing && current.isSecret && secret ? '(unchanged)' : ''}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          aria-invalid={errors.value?.length ? true : undefined}
          aria-describedby={errors.value?.length ? `${prefix}-value-error` : `${prefix}-value-hint`}
        />
        {errors.value?.length ? (
          <FieldError id={`${prefix}-value-error`} errors={errors.value} />
        ) : (
          <span id={`${prefix}-value-hint`} className="block text-xs text-muted">
            {valueHint}
          </span>
        )}
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          name="isSecret"
          checked={secret}
          onChange={(event) => setSecret(event.target.checked)}
          className="size-4"
        />
        <span>Secret (encrypted at rest, write-only in the panel)</span>
      </label>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Saving…' : editing ? 'Save' : 'Add variable'}
        </Button>
        {onCancel && (
          <Button onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
