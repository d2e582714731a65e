// What a person can ask of the deployment queue: deploy, redeploy, roll back, cancel. Each runs inside runAsUser's
// transaction: authorized against the application (a deployment is checked through its application), the row and
// its job written by enqueueDeployment, and the audit row, all committed together or not at all.
import { z } from 'zod';

import { requireApplicationAccess, type ApplicationAccess } from '@/lib/applications/access';
import { recordAudit } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { refusal } from '@/lib/projects/access';
import { imageRepo } from '@/lib/swarm/names';
import { applicationIdSchema } from '@/lib/validation/application';
import { checkCompose } from '@/lib/validation/compose';
import { idSchema } from '@/lib/validation/ids';

import {
  enqueueDeployment,
  requestCancellation,
  type CancellationResult,
  type DeploymentQueue,
  type Enqueued,
} from './queue';

const deploymentIdSchema = idSchema('deployment');
const deployInputSchema = z.object({
  applicationId: applicationIdSchema,
  commitSha: z
    .string()
    .regex(/^[0-9a-f]{4,40}$/, 'A commit is 4 to 40 lowercase hexadecimal characters.')
    .optional(),
});
const rollbackInputSchema = z.object({ applicationId: applicationIdSchema, toDeploymentId: deploymentIdSchema });

export const COMPOSE_NOT_DEPLOYABLE =
  'Compose deployment is not supported yet: Slipway stores and checks this compose file but cannot run it. Docker-image and git applications can be deployed.';

/**
 * Why a compose application is not deployed. The stored file is checked again with the check saving uses
 * (checkCompose), so a file stored before a rule existed, or written around the panel, is refused with the message
 * saving would give; then, whatever the file, that Slipway cannot run compose yet.
 */
export function composeDeployRefusal(sourceConfig: unknown): string {
  const text = isMapping(sourceConfig) ? sourceConfig.compose : undefined;
  const problems = typeof text === 'string' ? checkCompose(text).problems : [];
  return problems.length
    ? `This compose file cannot be deployed. ${problems.join(' ')} Fix it on the Source tab.`
    : COMPOSE_NOT_DEPLOYABLE;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const DEPLOYMENT_NOT_FOUND = 'This deployment does not exist, or you do not have access to it.';

async function deployableApplication(tx: Tx, ctx: WorkContext, applicationId: string): Promise<ApplicationAccess> {
  const app = await requireApplicationAccess(tx, ctx, applicationId, 'application.deploy');
  if (app.deletedAt)
    throw new AppError('conflict', 'This application is archived: restore it (Settings) before deploying it.');
  if (app.type === 'compose') {
    const { sourceConfig } = await tx.application.findUniqueOrThrow({
      where: { id: app.id },
      select: { sourceConfig: true },
    });
    throw new AppError('conflict', composeDeployRefusal(sourceConfig));
  }
  return app;
}

/** Build the application's source (the given commit, or its branch's head) and roll it out. */
export async function deployApplication(
  tx: Tx,
  ctx: WorkContext,
  queue: DeploymentQueue,
  input: { applicationId: string; commitSha?: string },
): Promise<Enqueued> {
  const { applicationId, commitSha } = deployInputSchema.parse(input);
  const app = await deployableApplication(tx, ctx, applicationId);
  const enqueued = await enqueueDeployment(tx, queue, {
    applicationId: app.id,
    triggeredBy: ctx.actor.id,
    commitSha,
    trigger: 'deploy',
  });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.deploy',
    resourceType: 'application',
    resourceId: app.id,
    details: {
      deploymentId: enqueued.deploymentId,
      kind: 'deploy',
      commitSha: commitSha ?? null,
      superseded: enqueued.superseded,
    },
    ...ctx.meta,
  });
  return enqueued;
}

/** Build and roll out again the commit of the current (latest successful) deployment, e.g. after a settings change. */
export async function redeployApplication(
  tx: Tx,
  ctx: WorkContext,
  queue: DeploymentQueue,
  input: { applicationId: string },
): Promise<Enqueued> {
  const { applicationId } = deployInputSchema.pick({ applicationId: true }).parse(input);
  const app = await deployableApplication(tx, ctx, applicationId);
  const current = await tx.deployment.findFirst({
    where: { applicationId: app.id, status: 'success' },
    orderBy: [{ completedAt: 'desc' }, { startedAt: 'desc' }],
    select: { id: true, commitSha: true },
  });
  if (!current)
    throw new AppError('conflict', 'This application has no successful deployment to redeploy yet: deploy it first.');
  const enqueued = await enqueueDeployment(tx, queue, {
    applicationId: app.id,
    triggeredBy: ctx.actor.id,
    commitSha: current.commitSha,
    trigger: 'redeploy',
    metadata: { redeploy_of: current.id },
  });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.deploy',
    resourceType: 'application',
    resourceId: app.id,
    details: {
      deploymentId: enqueued.deploymentId,
      kind: 'redeploy',
      redeployOf: current.id,
      superseded: enqueued.superseded,
    },
    ...ctx.meta,
  });
  return enqueued;
}

/** Roll out again the image an earlier successful deployment built: no rebuild. */
export async function rollbackApplication(
  tx: Tx,
  ctx: WorkContext,
  queue: DeploymentQueue,
  input: { applicationId: string; toDeploymentId: string },
): Promise<Enqueued> {
  const { applicationId, toDeploymentId } = rollbackInputSchema.parse(input);
  const app = await deployableApplication(tx, ctx, applicationId);
  const target = await tx.deployment.findFirst({
    where: { id: toDeploymentId, applicationId: app.id },
    select: { id: true, status: true, commitSha: true, metadata: true },
  });
  if (!target) throw new AppError('not_found', 'This application has no such deployment to roll back to.');
  if (target.status !== 'success') {
    throw new AppError(
      'conflict',
      `Only a successful deployment can be rolled back to; this one ended ${target.status}.`,
    );
  }
  const metadata = (target.metadata ?? {}) as Record<string, unknown>;
  const image = typeof metadata.image === 'string' && metadata.image !== '' ? metadata.image : null;
  if (!image) {
    throw new AppError('conflict', 'This deployment has no kept image to roll back to: redeploy its commit instead.');
  }
  // The pipeline keeps the images of the latest N successful deployments (SLIPWAY_KEEP_IMAGES); one we built that is
  // not among them is gone, and Swarm could not start it.
  const recent = await tx.deployment.findMany({
    where: { applicationId: app.id, status: 'success' },
    orderBy: [{ completedAt: 'desc' }, { startedAt: 'desc' }],
    take: env().SLIPWAY_KEEP_IMAGES,
    select: { id: true, metadata: true },
  });
  if (recent[0]?.id === target.id) throw new AppError('conflict', 'This deployment is the current version already.');
  const kept = recent.some((row) => (row.metadata as Record<string, unknown> | null)?.image === image);
  if (!kept && image.startsWith(`${imageRepo(app.id)}:`)) {
    throw new AppError(
      'conflict',
      `The image of this deployment was pruned (the images of the last ${env().SLIPWAY_KEEP_IMAGES} successful deployments ` +
        'are kept): deploy its commit again instead.',
    );
  }

  const enqueued = await enqueueDeployment(tx, queue, {
    applicationId: app.id,
    triggeredBy: ctx.actor.id,
    commitSha: target.commitSha,
    image,
    trigger: 'rollback',
    metadata: { rollback_of: target.id },
  });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.rollback',
    resourceType: 'application',
    resourceId: app.id,
    details: { deploymentId: enqueued.deploymentId, toDeploymentId: target.id, image, superseded: enqueued.superseded },
    ...ctx.meta,
  });
  return enqueued;
}

/** Cancel a deployment still pending (at once) or building (the worker stops it). */
export async function cancelDeployment(
  tx: Tx,
  ctx: WorkContext,
  queue: DeploymentQueue,
  input: { deploymentId: string },
): Promise<CancellationResult> {
  const parsed = deploymentIdSchema.safeParse(input.deploymentId);
  const row = parsed.success
    ? await tx.deployment.findUnique({ where: { id: parsed.data }, select: { id: true, applicationId: true } })
    : null;
  const refused = {
    action: 'application.deploy' as const,
    resourceType: 'deployment' as const,
    resourceId: input.deploymentId,
    notFoundMessage: DEPLOYMENT_NOT_FOUND,
  };
  if (!row) throw refusal(ctx, refused, false);
  await requireApplicationAccess(tx, ctx, row.applicationId, 'application.deploy').catch((error: unknown) => {
    // Same refusal (and audit row), worded about the deployment the person asked for.
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError('not_found', DEPLOYMENT_NOT_FOUND, error.options);
    }
    throw error;
  });
  const result = await requestCancellation(tx, queue, { deploymentId: row.id, actorId: ctx.actor.id });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'deployment.cancel',
    resourceType: 'deployment',
    resourceId: row.id,
    details: { applicationId: row.applicationId, from: result.from, outcome: result.outcome },
    ...ctx.meta,
  });
  return result;
}
