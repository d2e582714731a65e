'use client';

// On success the action redirects to the new project's page; a refusal keeps what was typed, errors beside fields.
import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/form-message';
import { Select } from '@/components/ui/select';
import { SubmitButton } from '@/components/ui/submit-button';
import { initialActionState } from '@/lib/actions/state';
import type { TeamChoice } from '@/lib/projects/project';
import { ProjectDescriptionField, ProjectNameField, ProjectTagsField } from '../../[projectId]/_components/project-fields';
import { createProjectAction } from '../../actions';

export function CreateProjectForm({ teams }: { teams: TeamChoice[] }) {
  const [state, action] = useActionState(createProjectAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  const teamErrors = errors.teamId;
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate aria-label="New project">
      <FormMessage ok={state.ok} message={state.message} />
      <ProjectNameField defaultValue={state.values?.name} errors={errors} />
      <ProjectDescriptionField defaultValue={state.values?.description} errors={errors} />
      <ProjectTagsField defaultValue={state.values?.tags} errors={errors} />
      {teams.length > 0 && (
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Team</span>
          <Select
            key={state.values?.teamId ?? ''}
            name="teamId"
            defaultValue={state.values?.teamId ?? ''}
            className="w-full"
            aria-invalid={teamErrors ? true : undefined}
            aria-describedby={teamErrors ? 'teamId-error' : undefined}
          >
            <option value="">None (personal project)</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </Select>
          {teamErrors ? (
            <span id="teamId-error" role="alert" className="block text-xs text-red-700 dark:text-red-400">
              {teamErrors.join(' ')}
            </span>
          ) : (
            <span className="block text-xs text-muted">Members of the team will see it. You can move it later.</span>
          )}
        </label>
      )}
      <SubmitButton pendingLabel="Creating…">Create project</SubmitButton>
    </form>
  );
}
