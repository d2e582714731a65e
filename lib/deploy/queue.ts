// The durable deployment queue: a deployments row is the truth about an attempt, a pg-boss job (schema pgboss, same
// database) is what wakes a worker for it. Both are written in the caller's transaction through pg-boss's `db`
// option, so a trigger either leaves a pending row with its job or nothing at all.
// One deployment per application at a time is the worker's job (a per-application advisory lock, see worker.ts);
// here a newer trigger supersedes an older one still pending, under a lock on the application row.
import type pg from 'pg';
import type PgBoss from 'pg-boss';

import type { Tx } from '@/lib/db/context';
import { AppError } from '@/lib/errors';

import { transition, type DeploymentStatus } from './state';

export const DEPLOYMENT_QUEUE = 'slipway-deployments';
export const CANCEL_CHANNEL = 'slipway_deployment_cancel';

export type DeploymentQueue = {
  boss: PgBoss;
  name: string;
  schema: string;
  stop: () => Promise<void>;
};

export type StartQueueOptions = (
  { connectionString: string; pool?: never } | { pool: pg.Pool; connectionString?: never }
) & {
  /** pg-boss's own schema; created on first start by the panel's (non-superuser, database-owner) role. */
  schema?: string;
  /** Connections of pg-boss's own pool (with connectionString). */
  max?: number;
  /** Run pg-boss maintenance (expiry, archiving) in this process. */
  supervise?: boolean;
  log?: (line: string) => void;
};

export type JobData = { deploymentId: string; applicationId: string };

export async function startQueue(options: StartQueueOptions): Promise<DeploymentQueue> {
  const schema = options.schema ?? 'pgboss';
  const log = options.log ?? ((line: string) => console.error(`[slipway] ${line}`));
  const connection = options.pool
    ? { db: { executeSql: (text: string, values?: unknown[]) => options.pool.query(text, values) } }
    : { connectionString: options.connectionString, max: options.max ?? 3 };
  // Loaded here, not at import: server actions import this module, and a panel that never deploys need not hold it.
  const { default: PgBossClass } = await import('pg-boss');
  const boss = new PgBossClass({
    ...connection,
    schema,
    supervise: options.supervise ?? true,
    schedule: false,
    migrate: true,
  });
  // Without a listener an 'error' event would crash the process; pg-boss reports and carries on.
  boss.on('error', (error) => log(`deployment queue: ${error.message}`));
  await boss.start();
  // A job that fails outside a deployment (the database went away before the claim) is retried a few times; after
  // that the worker's sweep sends a new job for any pending deployment left without one.
  await boss.createQueue(DEPLOYMENT_QUEUE, {
    name: DEPLOYMENT_QUEUE,
    policy: 'standard',
    retryLimit: 3,
    retryDelay: 5,
  });
  return {
    boss,
    name: DEPLOYMENT_QUEUE,
    schema,
    stop: () => boss.stop({ graceful: false, wait: true, timeout: 5000 }),
  };
}

/** pg-boss's statements run on the caller's Prisma transaction, so they commit or roll back with it. */
export function inTransaction(tx: Tx): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...(values ?? [])) }),
  };
}

/** Sends a job for a deployment (outside a transaction, or inside one with `db`). Returns the job id. */
export async function sendJob(queue: DeploymentQueue, data: JobData, db?: PgBoss.Db): Promise<string> {
  const id = await queue.boss.send(queue.name, data, db ? { db } : {});
  if (!id) throw new Error(`The deployment queue did not accept a job for deployment ${data.deploymentId}.`);
  return id;
}

export type EnqueueInput = {
  applicationId: string;
  triggeredBy: string | null;
  commitSha?: string | null;
  /** An image already built (rollback): the pipeline deploys it without building. */
  image?: string;
  /** What asked for it: 'deploy', 'redeploy', 'rollback', 'webhook' … (metadata.trigger; metadata.reason is kept
   * for why it failed). */
  trigger: string;
  metadata?: Record<string, unknown>;
};

export type Enqueued = { deploymentId: string; jobId: string; superseded: string[] };

/** A pending deployment and its job, superseding any older pending deployment of the application. */
export async function enqueueDeployment(tx: Tx, queue: DeploymentQueue, input: EnqueueInput): Promise<Enqueued> {
  // Serializes triggers of one application, so two of them cannot both think they are the newest.
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM applications WHERE id = ${input.applicationId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw new AppError('not_found', 'This application does not exist.');

  const metadata: Record<string, unknown> = { ...input.metadata, trigger: input.trigger };
  if (input.image) metadata.image = input.image;
  const created = await tx.deployment.create({
    data: {
      applicationId: input.applicationId,
      triggeredBy: input.triggeredBy,
      commitSha: input.commitSha ?? null,
      status: 'pending',
      metadata: metadata as object,
    },
    select: { id: true },
  });

  const older = await tx.$queryRaw<{ id: string; job_id: string | null }[]>`
    SELECT id, metadata->>'job_id' AS job_id FROM deployments
     WHERE application_id = ${input.applicationId}::uuid AND status = 'pending' AND id <> ${created.id}::uuid
     ORDER BY started_at`;
  for (const old of older) {
    await transition(tx, old.id, 'superseded', {
      from: 'pending',
      reason: `superseded by ${created.id}`,
      metadata: { superseded_by: created.id },
    });
    if (old.job_id) await queue.boss.cancel(queue.name, old.job_id, { db: inTransaction(tx) });
  }

  const jobId = await sendJob(
    queue,
    { deploymentId: created.id, applicationId: input.applicationId },
    inTransaction(tx),
  );
  await tx.$executeRaw`
    UPDATE deployments SET metadata = metadata || jsonb_build_object('job_id', ${jobId}::text) WHERE id = ${created.id}::uuid`;
  return { deploymentId: created.id, jobId, superseded: older.map((o) => o.id) };
}

export type CancellationResult = {
  deploymentId: string;
  applicationId: string;
  from: DeploymentStatus;
  outcome: 'cancelled' | 'cancelling';
};

/**
 * Cancels a deployment. Pending: failed('cancelled') at once and its job cancelled. Building: marked as asked to stop
 * and the worker running it is told (NOTIFY, and it also polls the mark); it fails it with reason 'cancelled'.
 * Deploying is refused: Swarm is mid-rollout and rolls back by itself when the new tasks are unhealthy.
 */
export async function requestCancellation(
  tx: Tx,
  queue: DeploymentQueue,
  input: { deploymentId: string; actorId: string | null },
): Promise<CancellationResult> {
  // The application row first, then the deployment's (the order every writer takes them in; see state.ts).
  await tx.$queryRaw`
    SELECT a.id FROM applications a JOIN deployments d ON d.application_id = a.id WHERE d.id = ${input.deploymentId}::uuid FOR UPDATE OF a`;
  const [row] = await tx.$queryRaw<{ status: DeploymentStatus; application_id: string; job_id: string | null }[]>`
    SELECT status, application_id, metadata->>'job_id' AS job_id FROM deployments WHERE id = ${input.deploymentId}::uuid FOR UPDATE`;
  if (!row) throw new AppError('not_found', 'This deployment does not exist.');
  const base = { deploymentId: input.deploymentId, applicationId: row.application_id, from: row.status };
  if (row.status === 'pending') {
    await transition(tx, input.deploymentId, 'failed', {
      from: 'pending',
      reason: 'cancelled',
      metadata: { cancelled_by: input.actorId },
    });
    if (row.job_id) await queue.boss.cancel(queue.name, row.job_id, { db: inTransaction(tx) });
    return { ...base, outcome: 'cancelled' };
  }
  if (row.status === 'building') {
    await tx.$executeRaw`
      UPDATE deployments
         SET metadata = metadata || jsonb_build_object('cancel_requested_at', now(), 'cancel_requested_by', ${input.actorId}::uuid)
       WHERE id = ${input.deploymentId}::uuid AND status = 'building'`;
    await tx.$executeRaw`SELECT pg_notify(${CANCEL_CHANNEL}, ${input.deploymentId})`;
    return { ...base, outcome: 'cancelling' };
  }
  if (row.status === 'deploying') {
    throw new AppError(
      'conflict',
      'This deployment is already rolling out and can no longer be cancelled: Swarm rolls back by itself if the new ' +
        'version is unhealthy. Wait for it to finish, then roll back to an earlier deployment if needed.',
    );
  }
  throw new AppError('conflict', `This deployment has already finished (${row.status}).`);
}
