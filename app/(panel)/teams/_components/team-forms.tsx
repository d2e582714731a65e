'use client';

import { useActionState } from 'react';

import { Button } from '@/components/ui/button';
import { Field, TextareaField } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';
import { TEAM_DESCRIPTION_MAX, TEAM_NAME_MAX, TEAM_NAME_MIN } from '@/lib/validation/rules';

import { createTeamAction, updateTeamAction } from '../actions';

function DescriptionField({ defaultValue, errors }: { defaultValue?: string; errors?: string[] }) {
  return (
    <TextareaField
      label="Description"
      optional
      name="description"
      rows={2}
      maxLength={TEAM_DESCRIPTION_MAX}
      defaultValue={defaultValue}
      errors={errors}
    />
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

export function TeamSettingsForm({
  teamId,
  name,
  description,
}: {
  teamId: string;
  name: string;
  description: string | null;
}) {
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
