// The deployment buttons' hidden fields. Every field is set by the page, none typed: a refused one means the page
// is out of date, and the action answers STALE.
import { z } from 'zod';

import { idSchema, STALE } from './ids';

const applicationRef = { projectId: idSchema('project', STALE), applicationId: idSchema('application', STALE) };
const deploymentId = idSchema('deployment', STALE);

/** Deploy the source, redeploy the current commit, or roll back to an earlier deployment's image. */
export const triggerDeploymentSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('deploy'), ...applicationRef }),
    z.object({ kind: z.literal('redeploy'), ...applicationRef }),
    z.object({ kind: z.literal('rollback'), ...applicationRef, deploymentId }),
  ],
  { error: STALE },
);
export type TriggerDeployment = z.output<typeof triggerDeploymentSchema>;

export const deploymentRefSchema = z.object({ ...applicationRef, deploymentId });
