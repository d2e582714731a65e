// Nothing stays stuck: a deployment in building/deploying whose application lock nobody holds was left by a worker
// that died (its connection, and so its lock, is gone); it is failed with a reason. A pending deployment without a
// live job (its job ran out of retries, or a worker dropped it while the application was busy) gets a new job.
// Runs when a worker starts and then periodically, so a surviving process also cleans up after a dead one.
import type pg from 'pg';

import { asSystem } from '@/lib/db/context';
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { connectLockClient, tryLockApplication, unlockApplication } from './app-lock';
import { sendJob, type DeploymentQueue } from './queue';
import { tryTransition, type DeploymentStatus } from './state';

export const orphanReason = (status: string) => `worker stopped during ${status}`;

/** Fails the application's building/deploying deployments. Only for a caller holding the application's lock. */
export async function failOrphans(prisma: PrismaClient, applicationId: string): Promise<string[]> {
  const rows = await asSystem(
    prisma,
    (tx) => tx.$queryRaw<{ id: string; status: DeploymentStatus }[]>`
    SELECT id, status FROM deployments
     WHERE application_id = ${applicationId}::uuid AND status IN ('building', 'deploying')`,
  );
  const failed: string[] = [];
  for (const row of rows) {
    const result = await asSystem(prisma, (tx) =>
      tryTransition(tx, row.id, 'failed', {
        from: row.status,
        reason: orphanReason(row.status),
        metadata: { orphaned: true },
      }),
    );
    if (result.ok) failed.push(row.id);
  }
  return failed;
}

/** A new job for the application's oldest pending deployment, if any. Duplicate jobs are harmless (see worker). */
export async function kickApplication(
  prisma: PrismaClient,
  queue: DeploymentQueue,
  applicationId: string,
): Promise<string | null> {
  const [next] = await asSystem(
    prisma,
    (tx) => tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM deployments WHERE application_id = ${applicationId}::uuid AND status = 'pending'
     ORDER BY started_at LIMIT 1`,
  );
  if (!next) return null;
  await sendJob(queue, { deploymentId: next.id, applicationId });
  return next.id;
}

export type SweepReport = { failed: string[]; requeued: string[] };

export async function sweep(options: {
  prisma: PrismaClient;
  queue: DeploymentQueue;
  connectionString: string;
  log: (line: string) => void;
}): Promise<SweepReport> {
  const { prisma, queue, log } = options;
  const report: SweepReport = { failed: [], requeued: [] };

  const active = await asSystem(
    prisma,
    (tx) => tx.$queryRaw<{ application_id: string }[]>`
    SELECT DISTINCT application_id FROM deployments WHERE status IN ('building', 'deploying')`,
  );
  if (active.length > 0) {
    // Closing this connection at the end releases anything a failure in between left locked.
    const client: pg.Client = await connectLockClient(options.connectionString, 'deployment sweep');
    try {
      for (const { application_id: applicationId } of active) {
        if (!(await tryLockApplication(client, applicationId))) continue; // a live worker runs it
        try {
          report.failed.push(...(await failOrphans(prisma, applicationId)));
        } finally {
          await unlockApplication(client, applicationId);
        }
        // A job that found the application locked by this sweep dropped itself: give the next one its turn.
        const kicked = await kickApplication(prisma, queue, applicationId);
        if (kicked) report.requeued.push(kicked);
      }
    } finally {
      await client
        .end()
        .catch((error: unknown) =>
          log(`deployment sweep could not close its lock connection: ${(error as Error).message}`),
        );
    }
  }

  // A job fetched by a worker that died before claiming it stays 'active' until pg-boss expires it; a live worker
  // claims or drops a job within a second, so an active job older than a minute counts as dead.
  const schema = `"${queue.schema.replace(/"/g, '""')}"`;
  const stranded = await asSystem(prisma, (tx) =>
    tx.$queryRawUnsafe<{ id: string; application_id: string }[]>(
      `SELECT d.id, d.application_id FROM deployments d
        WHERE d.status = 'pending'
          AND NOT EXISTS (
            SELECT 1 FROM ${schema}.job j
             WHERE j.name = $1 AND j.data->>'deploymentId' = d.id::text
               AND (j.state IN ('created', 'retry') OR (j.state = 'active' AND j.started_on > now() - interval '1 minute')))`,
      queue.name,
    ),
  );
  for (const row of stranded) {
    if (report.requeued.includes(row.id)) continue;
    await sendJob(queue, { deploymentId: row.id, applicationId: row.application_id });
    report.requeued.push(row.id);
  }
  if (report.failed.length > 0) log(`failed ${report.failed.length} deployment(s) left running by a stopped worker`);
  if (report.requeued.length > 0) log(`re-queued ${report.requeued.length} pending deployment(s)`);
  return report;
}
