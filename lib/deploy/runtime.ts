// The deployment runtime of a process: one pg-boss queue (server actions enqueue on it) and, in the panel by
// default, one worker running the real pipeline. Held on globalThis like the database, so Next.js module copies
// share it. SLIPWAY_WORKER=off leaves the deploying to `npm run worker` processes.
//
// Started lazily: the panel configures it at boot and starts it at once only when deployments are unfinished (they
// need recovery or a worker); otherwise the first deployment starts it. A panel nobody deploys from does not hold
// pg-boss, its pool, the worker's connections or the Docker client (idle memory budget, bench/idle-rss.ts).
import type { Database } from '@/lib/db/connection';
import { asSystem } from '@/lib/db/context';
import { env } from '@/lib/env';
import { forget, keep, recall, remember } from '@/lib/server/remember';

import type { DeploymentQueue } from './queue';
import type { DeploymentWorker } from './worker';

type Runtime = { queue: DeploymentQueue; worker: DeploymentWorker | null };
type RuntimeOptions = {
  worker: boolean;
  log?: (line: string) => void;
  /** The queue's database; default DATABASE_URL or the embedded server's URL. */
  connectionString?: string;
  /** Worker poll interval (tests). */
  pollIntervalMs?: number;
};
// Process-wide (lib/server/remember): how to start the runtime, and the runtime once started.
const CONFIG = 'deploy-config';
const RUNTIME = 'deploy-runtime';
type Config = { db: Database; options: RuntimeOptions };

/** The connection string of the database the panel uses (DATABASE_URL, or the embedded server's). */
export function connectionStringOf(db: Database): string {
  const url = env().DATABASE_URL ?? db.embedded?.url;
  if (!url) throw new Error('No database URL for the deployment queue.');
  return url;
}

/** Starts the queue (and the worker) now; later calls return the same runtime. */
export function startDeployRuntime(db: Database, options: RuntimeOptions): Promise<Runtime> {
  if (!recall<Config>(CONFIG)) keep<Config>(CONFIG, { db, options });
  // A start that failed (database away) is tried again by the next caller rather than remembered.
  return remember(RUNTIME, async (): Promise<Runtime> => {
    const log = options.log ?? ((line: string) => console.log(`[slipway deploy] ${line}`));
    const { startQueue } = await import('./queue');
    const queue = await startQueue({ connectionString: options.connectionString ?? connectionStringOf(db), log });
    if (!options.worker) return { queue, worker: null };
    const [{ startWorker }, { createPipeline }, { getDocker }] = await Promise.all([
      import('./worker'),
      import('./pipeline'),
      import('./docker'),
    ]);
    const run = createPipeline({ db, docker: getDocker(), keepImages: env().SLIPWAY_KEEP_IMAGES });
    const worker = await startWorker({
      db,
      queue,
      run,
      log,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
    return { queue, worker };
  });
}

/** Deployments a runtime has to pick up or recover: any not yet finished. */
export async function unfinishedDeployments(db: Database): Promise<number> {
  const [row] = await asSystem(
    db.prisma,
    (tx) =>
      tx.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM deployments WHERE status IN ('pending', 'building', 'deploying')`,
  );
  return row?.count ?? 0;
}

/**
 * Panel boot: remembers how to start the runtime and starts it now only when a deployment is unfinished (pending
 * ones need the worker, building/deploying ones recovery). Returns whether it started.
 */
export async function configureDeployRuntime(db: Database, options: RuntimeOptions): Promise<boolean> {
  keep<Config>(CONFIG, { db, options });
  if ((await unfinishedDeployments(db)) === 0) return false;
  await startDeployRuntime(db, options);
  return true;
}

/** The queue server actions enqueue on, started on first use (configured by the panel at boot). */
export async function getDeployQueue(): Promise<DeploymentQueue> {
  const config = recall<Config>(CONFIG);
  const runtime =
    recall<Promise<Runtime>>(RUNTIME) ?? (config ? startDeployRuntime(config.db, config.options) : undefined);
  if (!runtime) throw new Error('The deployment queue is not configured (the panel configures it at boot).');
  return (await runtime).queue;
}

/** Whether this process runs a deployment runtime now. */
export function deployRuntimeStarted(): boolean {
  return recall(RUNTIME) !== undefined;
}

/** Stops the runtime and forgets its configuration (shutdown: nothing may start it again). */
export async function stopDeployRuntime(): Promise<void> {
  forget(CONFIG);
  const stopFailed = (what: string) => (error: unknown) =>
    console.error(`[slipway] shutdown: the deployment ${what} did not stop cleanly`, error);
  // A start still failing as we stop: nothing to stop then, but say so.
  const runtime = await recall<Promise<Runtime>>(RUNTIME)?.catch((error: unknown) => {
    console.error('[slipway] shutdown: the deployment runtime had not started', error);
    return undefined;
  });
  forget(RUNTIME);
  if (!runtime) return;
  await runtime.worker?.stop({ graceMs: 10_000 }).catch(stopFailed('worker'));
  await runtime.queue.stop().catch(stopFailed('queue'));
}
