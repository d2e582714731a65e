'use server';

// Deploy, redeploy, roll back and cancel. Each lib/deploy trigger authorizes against the application, enqueues on
// the durable queue and audits in one transaction; formAction does the steps around it. The queue is got before the
// transaction opens: the deployment runtime starts on the first deployment.
import { formAction } from '@/lib/actions/form-action';
import { getDeployQueue } from '@/lib/deploy/runtime';
import { cancelDeployment, deployApplication, redeployApplication, rollbackApplication } from '@/lib/deploy/triggers';
import { deploymentRefSchema, triggerDeploymentSchema } from '@/lib/validation/deployment';

const appBase = ({ projectId, applicationId }: { projectId: string; applicationId: string }) =>
  `/projects/${projectId}/apps/${applicationId}`;

export const triggerDeploymentAction = formAction({
  schema: triggerDeploymentSchema,
  keys: ['kind', 'projectId', 'applicationId', 'deploymentId'],
  stale: true,
  prepare: getDeployQueue,
  run: (tx, ctx, input, queue) => {
    const { applicationId } = input;
    if (input.kind === 'deploy') return deployApplication(tx, ctx, queue, { applicationId });
    if (input.kind === 'redeploy') return redeployApplication(tx, ctx, queue, { applicationId });
    return rollbackApplication(tx, ctx, queue, { applicationId, toDeploymentId: input.deploymentId });
  },
  revalidate: (input) => [[appBase(input), 'layout']],
  redirect: ({ deploymentId }, input) => `${appBase(input)}/deployments/${deploymentId}`,
});

export const cancelDeploymentAction = formAction({
  schema: deploymentRefSchema,
  keys: ['projectId', 'applicationId', 'deploymentId'],
  stale: true,
  prepare: getDeployQueue,
  run: (tx, ctx, { deploymentId }, queue) => cancelDeployment(tx, ctx, queue, { deploymentId }),
  revalidate: (input) => [[appBase(input), 'layout']],
  success: 'Cancelling: the build stops and the running version keeps serving.',
});
