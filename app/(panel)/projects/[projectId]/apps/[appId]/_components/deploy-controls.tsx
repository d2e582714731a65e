'use client';

// Deploy / Redeploy / Rollback / Cancel buttons. Destructive ones ask first (the browser's confirm, so the buttons
// work without more client code); each shows its pending state and the refusal beside it.
import { useActionState } from 'react';

import { FormMessage } from '@/components/ui/form-message';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';

import { cancelDeploymentAction, triggerDeploymentAction } from '../deployments/actions';

type Ref = { projectId: string; applicationId: string };

export function DeployButtons({ projectId, applicationId, canRedeploy }: Ref & { canRedeploy: boolean }) {
  const [state, action] = useActionState(triggerDeploymentAction, initialActionState);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <form action={action}>
          <input type="hidden" name="projectId" value={projectId} />
          <input type="hidden" name="applicationId" value={applicationId} />
          <input type="hidden" name="kind" value="deploy" />
          <SubmitButton pendingLabel="Queueing…">Deploy</SubmitButton>
        </form>
        {canRedeploy && (
          <form action={action}>
            <input type="hidden" name="projectId" value={projectId} />
            <input type="hidden" name="applicationId" value={applicationId} />
            <input type="hidden" name="kind" value="redeploy" />
            <SubmitButton pendingLabel="Queueing…" variant="secondary">
              Redeploy
            </SubmitButton>
          </form>
        )}
      </div>
      <FormMessage ok={state.ok} message={state.ok ? undefined : state.message} />
    </div>
  );
}

export function RollbackButton({
  projectId,
  applicationId,
  deploymentId,
  label,
}: Ref & { deploymentId: string; label: string }) {
  const [state, action] = useActionState(triggerDeploymentAction, initialActionState);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Roll back to ${label}? Its image is deployed again, without a rebuild.`))
          event.preventDefault();
      }}
    >
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <input type="hidden" name="deploymentId" value={deploymentId} />
      <input type="hidden" name="kind" value="rollback" />
      <SubmitButton pendingLabel="Queueing…" variant="ghost" className="h-7 text-xs">
        Roll back
      </SubmitButton>
      {!state.ok && state.message && (
        <span role="alert" className="ml-2 text-xs text-red-700 dark:text-red-400">
          {state.message}
        </span>
      )}
    </form>
  );
}

export function CancelButton({ projectId, applicationId, deploymentId }: Ref & { deploymentId: string }) {
  const [state, action] = useActionState(cancelDeploymentAction, initialActionState);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm('Cancel this deployment? The running version keeps serving.')) event.preventDefault();
      }}
    >
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <input type="hidden" name="deploymentId" value={deploymentId} />
      <SubmitButton pendingLabel="Cancelling…" variant="secondary" className="h-7 text-xs">
        Cancel
      </SubmitButton>
      <ActionToast state={state} />
      {!state.ok && state.message && (
        <span role="alert" className="ml-2 text-xs text-red-700 dark:text-red-400">
          {state.message}
        </span>
      )}
    </form>
  );
}
