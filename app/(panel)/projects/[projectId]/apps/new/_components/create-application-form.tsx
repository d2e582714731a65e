'use client';

// Choose a type, and its fields appear. Every type's fields stay in the form (hidden when not chosen), so switching
// back and forth keeps what was typed; the action reads only the chosen type's fields.
import { useActionState, useState } from 'react';

import { SourceFields, type SourceType } from '@/components/source-fields';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FieldError } from '@/components/ui/field-error';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';

import { createApplicationAction } from '../actions';

const TYPES: { value: SourceType; label: string; hint: string }[] = [
  { value: 'git', label: 'Git repository', hint: 'Built from a Dockerfile in your repository.' },
  { value: 'docker', label: 'Docker image', hint: 'Runs an image from a registry as it is.' },
  {
    value: 'compose',
    label: 'Compose file',
    hint: 'Several services from one compose file, stored and checked: compose deployment is not supported yet.',
  },
];

const isType = (value: string | undefined): value is SourceType => TYPES.some((t) => t.value === value);

export function CreateApplicationForm({ projectId }: { projectId: string }) {
  const [state, action, pending] = useActionState(createApplicationAction, initialActionState);
  const [type, setType] = useState<SourceType>(isType(state.values?.type) ? state.values.type : 'git');
  const errors = state.fieldErrors ?? {};
  const values = state.values ?? {};
  return (
    <form action={action} className="space-y-6" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      <input type="hidden" name="projectId" value={projectId} />
      <Field
        label="Name"
        name="name"
        defaultValue={values.name ?? ''}
        errors={errors.name}
        maxLength={63}
        placeholder="api"
        hint="Becomes the Swarm service name: 1–63 lowercase letters a–z, digits and hyphens, starting and ending with a letter or digit."
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
        required
      />
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Type</legend>
        <div className="grid gap-2 sm:grid-cols-3">
          {TYPES.map((option) => (
            <label
              key={option.value}
              className="flex cursor-pointer gap-2 rounded-md border border-border p-3 text-sm has-[:checked]:border-accent has-[:checked]:bg-subtle"
            >
              <input
                type="radio"
                name="type"
                value={option.value}
                checked={type === option.value}
                onChange={() => setType(option.value)}
                className="mt-0.5"
              />
              <span>
                <span className="block font-medium">{option.label}</span>
                <span className="block text-xs text-muted">{option.hint}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldError id="type-error" errors={errors.type} />
      </fieldset>
      {TYPES.map((option) => (
        <div key={option.value} hidden={type !== option.value} data-testid={`source-${option.value}`}>
          <SourceFields type={option.value} values={values} errors={type === option.value ? errors : {}} />
        </div>
      ))}
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Creating…' : 'Create application'}
      </Button>
    </form>
  );
}
