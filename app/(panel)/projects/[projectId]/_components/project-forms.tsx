'use client';

// Editing a project and moving it between teams. Refusals stay beside the form (or the field they concern) with what
// was typed; a success shows a toast and the page re-renders with the saved values.
import { useActionState } from 'react';

import { ProjectDescriptionField, ProjectNameField, ProjectTagsField } from '@/components/project-fields';
import { FormMessage } from '@/components/ui/form-message';
import { Select } from '@/components/ui/select';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';
import type { TeamChoice } from '@/lib/projects/queries';
import { tagsToText } from '@/lib/validation/rules';

import { moveProjectAction, updateProjectAction } from '../actions';

export function EditProjectForm({
  projectId,
  name,
  description,
  tags,
}: {
  projectId: string;
  name: string;
  description: string | null;
  tags: string[];
}) {
  const [state, action] = useActionState(updateProjectAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  const values = state.values;
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate aria-label="Edit project">
      {!state.ok && <FormMessage ok={false} message={state.message} />}
      <ActionToast state={state} />
      <input type="hidden" name="projectId" value={projectId} />
      <ProjectNameField defaultValue={values?.name ?? name} errors={errors} />
      <ProjectDescriptionField defaultValue={values?.description ?? description ?? ''} errors={errors} />
      <ProjectTagsField defaultValue={values?.tags ?? tagsToText(tags)} errors={errors} />
      <SubmitButton pendingLabel="Saving…">Save changes</SubmitButton>
    </form>
  );
}

export function MoveProjectForm({
  projectId,
  teamId,
  teams,
}: {
  projectId: string;
  teamId: string | null;
  teams: TeamChoice[];
}) {
  const [state, action] = useActionState(moveProjectAction, initialActionState);
  const errors = state.fieldErrors?.teamId;
  const current = state.values?.teamId ?? teamId ?? '';
  return (
    <form action={action} className="max-w-xl space-y-3" noValidate aria-label="Move project">
      {!state.ok && !errors && <FormMessage ok={false} message={state.message} />}
      <ActionToast state={state} />
      <input type="hidden" name="projectId" value={projectId} />
      <label className="block space-y-1 text-sm">
        <span className="font-medium">Team</span>
        <span className="flex flex-wrap items-center gap-2">
          {/* Keyed by the saved team, so the select shows it again after the page re-renders. */}
          <Select
            key={current}
            name="teamId"
            defaultValue={current}
            className="min-w-60"
            aria-invalid={errors ? true : undefined}
            aria-describedby={errors ? 'teamId-error' : 'teamId-hint'}
          >
            <option value="">None (personal project)</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name} (you: {team.role})
              </option>
            ))}
          </Select>
          <SubmitButton pendingLabel="Moving…" variant="secondary">
            Move
          </SubmitButton>
        </span>
        {errors ? (
          <span id="teamId-error" role="alert" className="block text-xs text-red-700 dark:text-red-400">
            {errors.join(' ')}
          </span>
        ) : (
          <span id="teamId-hint" className="block text-xs text-muted">
            Members of the team see the project; its owners, admins and members can change it. You stay its owner. Only
            teams where you are an owner, admin or member are listed.
          </span>
        )}
      </label>
    </form>
  );
}
