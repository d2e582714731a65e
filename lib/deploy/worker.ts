// The deployment worker: takes jobs from the queue, runs each deployment with the pipeline it was given (`run`, a
// parameter so this file knows nothing of Docker) and records the outcome through the state machine.
// A run holds its application's advisory lock (app-lock.ts) from claim to outcome; a job whose application is busy
// is dropped, and whoever lets go of an application sends a job for its next pending deployment.
import { hostname } from 'node:os';

import pg from 'pg';

import type { Database } from '@/lib/db/connection';
import { asSystem } from '@/lib/db/context';
import { requestProxySync } from '@/lib/proxy/sync';

import { connectLockClient, tryLockApplication, unlockApplication } from './app-lock';
import { CANCEL_CHANNEL, type DeploymentQueue, type JobData } from './queue';
import { failOrphans, kickApplication, orphanReason, sweep, type SweepReport } from './recovery';
import { loadDeployment, tryTransition, type DeploymentRow } from './state';

export type DeploymentJob = {
  id: string;
  applicationId: string;
  triggeredBy: string | null;
  commitSha: string | null;
  /** Set for a rollback: deploy this image, build nothing. */
  image: string | null;
  trigger: string | null;
  metadata: Record<string, unknown>;
};

export type RunContext = {
  /** Aborted when the deployment is cancelled, the worker stops, or the worker loses its lock connection. */
  signal: AbortSignal;
  /** building → deploying, when the image is ready. Throws (and aborts) when a cancellation came first. */
  markDeploying: (metadata?: Record<string, unknown>) => Promise<void>;
};

export type Outcome = {
  status: 'success' | 'failed' | 'rolled_back';
  reason?: string;
  metadata?: Record<string, unknown>;
};
export type RunDeployment = (deployment: DeploymentJob, context: RunContext) => Promise<Outcome>;

/** The reason a run was aborted; it becomes the failed deployment's metadata.reason. */
export class DeploymentAborted extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DeploymentAborted';
  }
}

export type StartWorkerOptions = {
  db: Pick<Database, 'prisma' | 'pool'>;
  queue: DeploymentQueue;
  run: RunDeployment;
  /** Deployments run at once by this process (of different applications). */
  concurrency?: number;
  /** For the worker's own connections (locks, LISTEN); defaults to the pool's. */
  connectionString?: string;
  pollIntervalMs?: number;
  sweepIntervalMs?: number;
  /** How often running deployments are checked for a cancellation whose NOTIFY was missed. */
  cancelPollMs?: number;
  log?: (line: string) => void;
};

export type DeploymentWorker = {
  /** What the start-up sweep found: deployments failed as orphaned, pending ones given a new job. */
  startup: SweepReport;
  running: () => string[];
  sweep: () => Promise<SweepReport>;
  /** Stops taking jobs; running deployments get `graceMs` to finish, then are aborted and recorded as failed. */
  stop: (options?: { graceMs?: number }) => Promise<void>;
};

type Running = { id: string; status: 'building' | 'deploying'; controller: AbortController };

const WORKER_ID = `${hostname()}:${process.pid}`;

function messageOf(error: unknown): string {
  if (error instanceof DeploymentAborted) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

function toJob(row: DeploymentRow): DeploymentJob {
  const { metadata } = row;
  return {
    id: row.id,
    applicationId: row.applicationId,
    triggeredBy: row.triggeredBy,
    commitSha: row.commitSha,
    image: typeof metadata.image === 'string' ? metadata.image : null,
    trigger: typeof metadata.trigger === 'string' ? metadata.trigger : null,
    metadata,
  };
}

export async function startWorker(options: StartWorkerOptions): Promise<DeploymentWorker> {
  const { queue, run } = options;
  const prisma = options.db.prisma;
  const log = options.log ?? ((line: string) => console.log(`[slipway] ${line}`));
  const connectionString = options.connectionString ?? options.db.pool.options.connectionString;
  if (!connectionString) throw new Error('startWorker needs a connection string for its lock and LISTEN connections.');
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const running = new Map<string, Running>();
  let stopping = false;

  // Idle loops sleep until the poll interval passes or something in this process makes work (wake).
  const sleepers = new Set<() => void>();
  const wake = () => [...sleepers].forEach((resolve) => resolve());
  const idle = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, pollIntervalMs);
      sleepers.add(done);
    });

  const abort = (entry: Running, reason: string) => {
    if (!entry.controller.signal.aborted) entry.controller.abort(new DeploymentAborted(reason));
  };

  async function checkCancellations(): Promise<void> {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    const rows = await asSystem(
      prisma,
      (tx) => tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM deployments WHERE id = ANY(${ids}::uuid[]) AND metadata->>'cancel_requested_at' IS NOT NULL`,
    );
    for (const { id } of rows) {
      const entry = running.get(id);
      if (entry) abort(entry, 'cancelled');
    }
  }

  async function record(entry: Running, markDeploying: RunContext['markDeploying'], result: Outcome): Promise<void> {
    let outcome = result;
    if (outcome.status !== 'failed' && entry.status === 'building') {
      // A pipeline that never said "deploying" still passes through it: the machine has no shortcut.
      await markDeploying().catch((error: unknown) => {
        outcome = { status: 'failed', reason: messageOf(error) };
      });
    }
    const signal = entry.controller.signal;
    if (outcome.status === 'failed' && signal.aborted) outcome = { ...outcome, reason: messageOf(signal.reason) };
    const reason =
      outcome.status === 'failed' ? (outcome.reason ?? 'the deployment failed without saying why') : outcome.reason;
    const recorded = await asSystem(prisma, (tx) =>
      tryTransition(tx, entry.id, outcome.status, { from: entry.status, reason, metadata: outcome.metadata }),
    );
    if (!recorded.ok)
      log(`deployment ${entry.id}: could not record ${outcome.status}, it is ${recorded.current ?? 'gone'}`);
    // Whatever the outcome, the set of running services may have changed: the edge proxy re-renders its routes.
    else requestProxySync(`deployment:${outcome.status}`, options.db.pool);
  }

  async function execute(row: DeploymentRow): Promise<void> {
    const entry: Running = { id: row.id, status: 'building', controller: new AbortController() };
    running.set(row.id, entry);
    const markDeploying = async (metadata?: Record<string, unknown>) => {
      const moved = await asSystem(prisma, (tx) =>
        tryTransition(tx, row.id, 'deploying', { from: 'building', metadata }),
      );
      if (moved.ok) {
        entry.status = 'deploying';
        return;
      }
      if (moved.detail === 'cancellation requested') abort(entry, 'cancelled');
      throw entry.controller.signal.aborted
        ? entry.controller.signal.reason
        : new Error(`deployment ${row.id} cannot start rolling out: it is ${moved.current ?? 'gone'}`);
    };
    try {
      let outcome: Outcome;
      try {
        outcome = await run(toJob(row), { signal: entry.controller.signal, markDeploying });
      } catch (error) {
        outcome = { status: 'failed', reason: messageOf(error) };
      }
      await record(entry, markDeploying, outcome);
    } finally {
      running.delete(row.id);
    }
  }

  async function handle(data: JobData): Promise<void> {
    const row = await asSystem(prisma, (tx) => loadDeployment(tx, data.deploymentId));
    if (!row || row.status !== 'pending') return; // superseded, cancelled, or already run by a duplicate job
    const onLost = () => {
      const entry = running.get(row.id);
      if (entry) abort(entry, `lost the database connection holding its lock during ${entry.status}`);
    };
    const client = await connectLockClient(connectionString!, `deploy ${row.id}`, onLost);
    let locked = false;
    try {
      locked = await tryLockApplication(client, row.applicationId);
      if (!locked) return; // busy: the run holding the application sends a job for this one when it ends
      // Holding the lock, any building/deploying deployment of this application belongs to nobody alive.
      const orphans = await failOrphans(prisma, row.applicationId);
      if (orphans.length) log(`failed ${orphans.length} orphaned deployment(s) of application ${row.applicationId}`);
      const claimed = await asSystem(prisma, (tx) =>
        tryTransition(tx, row.id, 'building', { from: 'pending', metadata: { worker: WORKER_ID } }),
      );
      if (claimed.ok) await execute(claimed.deployment);
    } finally {
      // Unlock explicitly before kicking: closing alone releases the lock only once the server notices.
      // Either failing leaves the lock to the server, which drops it with the connection; worth a line, not a throw.
      const warn = (what: string) => (error: unknown) =>
        log(`deployment ${row.id}: could not ${what}: ${messageOf(error)}`);
      if (locked)
        await unlockApplication(client, row.applicationId).catch(warn(`unlock application ${row.applicationId}`));
      await client.end().catch(warn('close its lock connection'));
      if (locked) {
        await kickApplication(prisma, queue, row.applicationId).catch((error: Error) =>
          log(`could not queue the next deployment: ${error.message}`),
        );
        wake();
      }
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      // The database may be restarting: idle and fetch again, saying why.
      const [job] = await queue.boss.fetch<JobData>(queue.name, { batchSize: 1 }).catch((error: unknown) => {
        log(`could not fetch a deployment job: ${messageOf(error)}`);
        return [];
      });
      if (!job) {
        await idle();
        continue;
      }
      try {
        await handle(job.data);
        await queue.boss.complete(queue.name, job.id);
      } catch (error) {
        log(`deployment job ${job.id} failed: ${messageOf(error)}`);
        await queue.boss
          .fail(queue.name, job.id, { message: messageOf(error) })
          .catch((failError: unknown) =>
            log(`could not mark deployment job ${job.id} failed: ${messageOf(failError)}`),
          );
      }
    }
  }

  async function sweepSafely(): Promise<SweepReport> {
    try {
      const report = await sweep({ prisma, queue, connectionString: connectionString!, log });
      if (report.requeued.length) wake();
      return report;
    } catch (error) {
      log(`deployment sweep failed: ${messageOf(error)}`);
      return { failed: [], requeued: [] };
    }
  }

  // Cancellations arrive by NOTIFY; the periodic check covers a notification missed while reconnecting.
  const cancelCheckFailed = (error: unknown) => log(`could not check for cancelled deployments: ${messageOf(error)}`);
  let listener: pg.Client | null = null;
  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString, application_name: 'slipway deploy worker' });
    let retried = false;
    const retry = () => {
      if (retried || stopping) return;
      retried = true;
      setTimeout(() => void listen().catch(retry), 1000);
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      if (message.payload && running.has(message.payload)) void checkCancellations().catch(cancelCheckFailed);
    });
    await client.connect();
    await client.query(`LISTEN ${CANCEL_CHANNEL}`);
    listener = client;
    // Notifications sent while reconnecting are lost: look at the rows now.
    await checkCancellations();
  }

  const startup = await sweepSafely();
  await listen();
  const sweepTimer = setInterval(() => void sweepSafely(), options.sweepIntervalMs ?? 30_000);
  const cancelTimer = setInterval(
    () => void checkCancellations().catch(cancelCheckFailed),
    options.cancelPollMs ?? 2000,
  );
  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => loop());
  log(`deployment worker ${WORKER_ID} started (concurrency ${loops.length})`);

  let stopped: Promise<void> | null = null;
  return {
    startup,
    running: () => [...running.keys()],
    sweep: sweepSafely,
    stop: ({ graceMs = 30_000 } = {}) => {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(sweepTimer);
        clearInterval(cancelTimer);
        wake();
        const deadline = setTimeout(
          () => running.forEach((entry) => abort(entry, orphanReason(entry.status))),
          graceMs,
        );
        await Promise.all(loops);
        clearTimeout(deadline);
        await listener
          ?.end()
          .catch((error: unknown) => log(`could not close the cancellation listener: ${messageOf(error)}`));
      })();
      return stopped;
    },
  };
}
