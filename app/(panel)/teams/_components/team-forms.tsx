'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { initialActionState } from '@/lib/actions/state';
import { TEAM_DESCRIPTION_MAX, TEAM_NAME_MAX, TEAM_NAME_MIN } from '@/lib/validation/team';
import { createTeamAction, updateTeamAction } from '../actions';
import { FormMessage } from './form-bits';

function DescriptionField({ defaultValue, errors }: { defaultValue?: string; errors?: string[] }) {
  const errorId = 'description-error';
  return (
    <label className="block space-y-1 text-sm">
      <span className="font-medium">
        Description <span className="font-normal text-muted">(optional)</span>
      </span>
      <textarea
        name="description"
        rows={2}
        maxLength={TEAM_DESCRIPTION_MAX}
        defaultValue={defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? errorId : undefined}
        className="w-full rounded-md border border-border bg-surface px-3 py-2 text-sm text-foreground placeholder:text-muted aria-invalid:border-red-600 dark:aria-invalid:border-red-400"
      />
      {errors?.length ? (
        <span id={errorId} role="alert" className="block text-xs text-red-700 dark:text-red-400">
          {errors.join(' ')}
        </span>
      ) : null}
    </label>
  );
}

/** On success the action redirects to the new team's page. */
export function CreateTeamForm() {
  const [state, action, pending] = useActionState(createTeamAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      <Field
        label="Name"
        name="name"
        defaultValue={state.values?.name}
        errors={errors.name}
        minLength={TEAM_NAME_MIN}
        maxLength={TEAM_NAME_MAX}
        hint={`${TEAM_NAME_MIN}–${TEAM_NAME_MAX} characters, unique across Slipway. You become its owner.`}
        autoComplete="off"
        required
      />
      <DescriptionField defaultValue={state.values?.description} errors={errors.description} />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Creating…' : 'Create team'}
      </Button>
    </form>
  );
}

export function TeamSettingsForm({ teamId, name, description }: { teamId: string; name: string; description: string | null }) {
  const [state, action, pending] = useActionState(updateTeamAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      <input type="hidden" name="teamId" value={teamId} />
      <Field
        label="Name"
        name="name"
        defaultValue={state.values?.name ?? name}
        errors={errors.name}
        minLength={TEAM_NAME_MIN}
        maxLength={TEAM_NAME_MAX}
        autoComplete="off"
        required
      />
      <DescriptionField defaultValue={state.values?.description ?? description ?? ''} errors={errors.description} />
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : 'Save'}
      </Button>
    </form>
  );
}
