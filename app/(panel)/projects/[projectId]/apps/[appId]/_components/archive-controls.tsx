'use client';

// Archive asks for a second click that names the consequence; Restore is one click (it undoes nothing harmful).
import { useActionState, useState } from 'react';

import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { SubmitButton } from '@/components/ui/submit-button';
import { initialActionState } from '@/lib/actions/state';

import { archiveApplicationAction, restoreApplicationAction } from '../actions';

export function ArchiveControls({
  applicationId,
  name,
  archived,
}: {
  applicationId: string;
  name: string;
  archived: boolean;
}) {
  const [archiveState, archive] = useActionState(archiveApplicationAction, initialActionState);
  const [restoreState, restore] = useActionState(restoreApplicationAction, initialActionState);
  const [confirming, setConfirming] = useState(false);

  if (archived) {
    return (
      <form action={restore} className="space-y-3">
        <FormMessage ok={restoreState.ok} message={restoreState.message} />
        <input type="hidden" name="applicationId" value={applicationId} />
        <p className="text-sm text-muted">
          Restoring brings {name} back to its project as stopped, with its source and settings.
        </p>
        <SubmitButton pendingLabel="Restoring…">Restore application</SubmitButton>
      </form>
    );
  }
  return (
    <form action={archive} className="space-y-3">
      <FormMessage ok={archiveState.ok} message={archiveState.message} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <p className="text-sm text-muted">
        Archiving hides {name} from its project and makes it read-only. Nothing is deleted: its name stays reserved and
        you can restore it.
      </p>
      {confirming ? (
        <div
          role="group"
          aria-label="Confirm archiving"
          className="flex flex-wrap items-center gap-3 rounded-md border border-amber-300 p-3 dark:border-amber-800"
        >
          <span className="text-sm">
            Archive <strong className="font-mono">{name}</strong>?
          </span>
          <SubmitButton pendingLabel="Archiving…">Yes, archive {name}</SubmitButton>
          <Button variant="ghost" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button onClick={() => setConfirming(true)}>Archive…</Button>
      )}
    </form>
  );
}
