'use client';

// The danger zone: what deleting removes, what blocks it, and the project's name typed to confirm. The server checks
// all of it again (the preview may be stale by the time the button is pressed).
import { useActionState } from 'react';

import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SubmitButton } from '@/components/ui/submit-button';
import { initialActionState } from '@/lib/actions/state';
import type { CascadeCounts, DeletePreview } from '@/lib/projects/delete-preview';

import { deleteProjectAction } from '../actions';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function cascadeLines(counts: CascadeCounts): string[] {
  const apps = plural(counts.applications, 'application');
  return [
    counts.archivedApplications > 0 ? `${apps} (${counts.archivedApplications} of them archived)` : apps,
    `${plural(counts.deployments, 'deployment')} with their logs`,
    plural(counts.envVars, 'environment variable'),
    plural(counts.databases, 'database'),
    plural(counts.backups, 'backup record'),
    plural(counts.domains, 'domain'),
  ];
}

export function DeleteProjectForm({ projectId, preview }: { projectId: string; preview: DeletePreview }) {
  const [state, action] = useActionState(deleteProjectAction, initialActionState);
  const blocked = preview.volumes.length > 0;
  return (
    <div className="max-w-xl space-y-4 text-sm">
      <div className="space-y-1">
        <p>Deleting “{preview.name}” also deletes, for good:</p>
        <ul aria-label="What deleting removes" className="list-disc pl-5 text-muted">
          {cascadeLines(preview.counts).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <p className="text-muted">
          Running containers are not stopped by this; the audit log keeps a record of the deletion.
        </p>
      </div>
      {blocked && (
        <div
          role="note"
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
        >
          <p className="font-medium">
            Volumes block the deletion: they hold data and are never deleted with a project.
          </p>
          <p>Delete these first (detach an attached one, then delete it) on the Volumes page:</p>
          <ul className="mt-1 list-disc pl-5">
            {preview.volumes.map((volume) => (
              <li key={volume.id}>
                <span className="font-mono">{volume.name}</span>{' '}
                {volume.attachedTo ? `(attached to ${volume.attachedTo.type} ${volume.attachedTo.name})` : '(detached)'}
              </li>
            ))}
          </ul>
        </div>
      )}
      <form action={action} className="space-y-3" noValidate aria-label="Delete project">
        {!state.fieldErrors?.confirmation && <FormMessage ok={false} message={state.message} />}
        <input type="hidden" name="projectId" value={projectId} />
        <Field
          label={`Type “${preview.name}” to confirm`}
          name="confirmation"
          defaultValue={state.values?.confirmation}
          errors={state.fieldErrors?.confirmation}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
        />
        <SubmitButton pendingLabel="Deleting…" className="bg-red-700! text-white! hover:bg-red-800! dark:bg-red-600!">
          Delete project
        </SubmitButton>
      </form>
    </div>
  );
}
