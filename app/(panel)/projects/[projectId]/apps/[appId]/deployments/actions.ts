'use server';

// Deploy, redeploy, roll back and cancel. Each: requireUser → safeParse → the lib/deploy trigger as the user (it
// authorizes against the application, enqueues on the durable queue and audits in one transaction) → revalidate →
// the deployment's page, where its log streams live.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { actionFailure, type ActionState } from '@/lib/actions/state';
import { runAsUser } from '@/lib/db/work';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getDeployQueue } from '@/lib/deploy/runtime';
import { cancelDeployment, deployApplication, redeployApplication, rollbackApplication } from '@/lib/deploy/triggers';
import { getRequestMeta } from '@/lib/http/request-meta';

const STALE = 'This page is out of date: reload it and try again.';
const refSchema = z.object({ projectId: z.guid(STALE), applicationId: z.guid(STALE) });
const deploymentRefSchema = refSchema.extend({ deploymentId: z.guid(STALE) });

const appBase = (projectId: string, applicationId: string) => `/projects/${projectId}/apps/${applicationId}`;

async function context() {
  const user = await requireUser();
  return { actor: user, meta: await getRequestMeta() };
}

type Kind = 'deploy' | 'redeploy' | 'rollback';

export async function triggerDeploymentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const ctx = await context();
  const kind = form.get('kind') as Kind;
  const parsed = refSchema.extend({ deploymentId: z.guid(STALE).optional() }).safeParse(Object.fromEntries(form));
  if (!parsed.success || !['deploy', 'redeploy', 'rollback'].includes(kind)) return { ok: false, message: STALE };
  const { projectId, applicationId, deploymentId: toDeploymentId } = parsed.data;
  if (kind === 'rollback' && !toDeploymentId) return { ok: false, message: STALE };
  let deploymentId: string;
  try {
    const queue = await getDeployQueue();
    const enqueued = await runAsUser(await getDb(), ctx, (tx) => {
      if (kind === 'deploy') return deployApplication(tx, ctx, queue, { applicationId });
      if (kind === 'redeploy') return redeployApplication(tx, ctx, queue, { applicationId });
      return rollbackApplication(tx, ctx, queue, { applicationId, toDeploymentId: toDeploymentId! });
    });
    deploymentId = enqueued.deploymentId;
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(appBase(projectId, applicationId), 'layout');
  redirect(`${appBase(projectId, applicationId)}/deployments/${deploymentId}`);
}

export async function cancelDeploymentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const ctx = await context();
  const parsed = deploymentRefSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { ok: false, message: STALE };
  try {
    const queue = await getDeployQueue();
    await runAsUser(await getDb(), ctx, (tx) => cancelDeployment(tx, ctx, queue, { deploymentId: parsed.data.deploymentId }));
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(appBase(parsed.data.projectId, parsed.data.applicationId), 'layout');
  return { ok: true, message: 'Cancelling: the build stops and the running version keeps serving.' };
}
