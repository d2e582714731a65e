'use client';

// On success the action redirects to the new project's page; a refusal keeps what was typed, errors beside fields.
import { useActionState } from 'react';

import { ProjectDescriptionField, ProjectNameField, ProjectTagsField } from '@/components/project-fields';
import { FormMessage } from '@/components/ui/form-message';
import { SelectField } from '@/components/ui/select';
import { SubmitButton } from '@/components/ui/submit-button';
import { initialActionState } from '@/lib/actions/state';
import type { TeamChoice } from '@/lib/projects/queries';

import { createProjectAction } from '../../actions';

export function CreateProjectForm({ teams }: { teams: TeamChoice[] }) {
  const [state, action] = useActionState(createProjectAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate aria-label="New project">
      <FormMessage ok={state.ok} message={state.message} />
      <ProjectNameField defaultValue={state.values?.name} errors={errors} />
      <ProjectDescriptionField defaultValue={state.values?.description} errors={errors} />
      <ProjectTagsField defaultValue={state.values?.tags} errors={errors} />
      {teams.length > 0 && (
        <SelectField
          key={state.values?.teamId ?? ''}
          label="Team"
          name="teamId"
          defaultValue={state.values?.teamId ?? ''}
          errors={errors.teamId}
          hint="Members of the team will see it. You can move it later."
        >
          <option value="">None (personal project)</option>
          {teams.map((team) => (
            <option key={team.id} value={team.id}>
              {team.name}
            </option>
          ))}
        </SelectField>
      )}
      <SubmitButton pendingLabel="Creating…">Create project</SubmitButton>
    </form>
  );
}
