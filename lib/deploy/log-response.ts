// The body of GET /api/deployments/[id]/logs once the caller is known: authorization against the deployment's
// application, then the log as server-sent events (lib/http/sse.ts). Kept out of the route file so tests drive it
// with real users and rows; the route only authenticates and hands over.
import type pg from 'pg';

import { requireApplicationAccess } from '@/lib/applications/access';
import type { Actor } from '@/lib/auth/permissions';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { RequestMeta } from '@/lib/http/request-meta';
import { encodeEvent, sseResponse } from '@/lib/http/sse';
import { refusal } from '@/lib/projects/access';
import { isUuid } from '@/lib/validation/ids';

import { logLineEvent } from './log-event';
import { parseAfterId, streamDeploymentLogs, type DeploymentLogEvent } from './log-stream';

export const DEPLOYMENT_NOT_FOUND = 'This deployment does not exist, or you do not have access to it.';

export type DeploymentLogsRequest = {
  user: Actor;
  deploymentId: string;
  /** Last-Event-ID header or ?after=: the last row id the viewer has. */
  lastEventId?: string | null;
  signal?: AbortSignal;
  db: { prisma: PrismaClient; pool: pg.Pool };
  meta?: RequestMeta;
  heartbeatMs?: number;
};

/** Throws an audited not_found/forbidden AppError unless the actor may read this deployment's logs. */
export async function authorizeDeploymentLogs(db: PrismaClient, ctx: WorkContext, deploymentId: string): Promise<void> {
  await runAsUser(db, ctx, async (tx) => {
    const deployment = isUuid(deploymentId)
      ? await tx.deployment.findUnique({ where: { id: deploymentId }, select: { applicationId: true } })
      : null;
    if (!deployment) {
      throw refusal(
        ctx,
        {
          action: 'application.logs',
          resourceType: 'deployment',
          resourceId: deploymentId,
          notFoundMessage: DEPLOYMENT_NOT_FOUND,
        },
        false,
      );
    }
    await requireApplicationAccess(tx, ctx, deployment.applicationId, 'application.logs');
  });
}

// A line read once is sent to every viewer of the deployment as the same (frozen) event: encoded once.
const encoded = new WeakMap<DeploymentLogEvent, string>();

/** One event in the wire format. Only log lines carry an id, so Last-Event-ID is always a row id. */
export function formatEvent(event: DeploymentLogEvent): string {
  if (event.type !== 'log') return encodeEvent({ event: event.type, data: { status: event.status } });
  let text = encoded.get(event);
  if (text === undefined) {
    text = logLineEvent(event);
    encoded.set(event, text);
  }
  return text;
}

/**
 * The deployment's log for one viewer. Missing and forbidden answer alike (an AppError not_found, which the route
 * wrapper turns into a 404): a deployment id tells nothing to someone who may not see it.
 */
export async function deploymentLogsResponse(request: DeploymentLogsRequest): Promise<Response> {
  const ctx: WorkContext = { actor: request.user, meta: request.meta };
  try {
    await authorizeDeploymentLogs(request.db.prisma, ctx, request.deploymentId);
  } catch (error) {
    if (error instanceof AppError) throw new AppError('not_found', DEPLOYMENT_NOT_FOUND);
    throw error;
  }
  const { db, deploymentId, lastEventId } = request;
  return sseResponse({
    label: 'deployment log stream',
    signal: request.signal,
    heartbeatMs: request.heartbeatMs,
    open: (signal) => streamDeploymentLogs({ pool: db.pool, deploymentId, afterId: parseAfterId(lastEventId), signal }),
    format: formatEvent,
  });
}
