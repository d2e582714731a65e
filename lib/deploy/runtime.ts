// The deployment runtime of a process: one pg-boss queue (server actions enqueue on it) and, in the panel by
// default, one worker running the real pipeline. Held on globalThis like the database, so Next.js module copies
// share it. SLIPWAY_WORKER=off leaves the deploying to `npm run worker` processes.
import type { Database } from '@/lib/db/connection';
import { env } from '@/lib/env';
import { getDocker } from './docker';
import { createPipeline } from './pipeline';
import { startQueue, type DeploymentQueue } from './queue';
import { startWorker, type DeploymentWorker } from './worker';

type Runtime = { queue: DeploymentQueue; worker: DeploymentWorker | null };
const holder = globalThis as unknown as { __slipwayDeployRuntime?: Promise<Runtime> };

/** The connection string of the database the panel uses (DATABASE_URL, or the embedded server's). */
export function connectionStringOf(db: Database): string {
  const url = env().DATABASE_URL ?? db.embedded?.url;
  if (!url) throw new Error('No database URL for the deployment queue.');
  return url;
}

export function startDeployRuntime(db: Database, options: { worker: boolean; log?: (line: string) => void }): Promise<Runtime> {
  holder.__slipwayDeployRuntime ??= (async () => {
    const log = options.log ?? ((line: string) => console.log(`[slipway deploy] ${line}`));
    const queue = await startQueue({ connectionString: connectionStringOf(db), log });
    const worker = options.worker
      ? await startWorker({ db, queue, run: createPipeline({ db, docker: getDocker() }), log })
      : null;
    return { queue, worker };
  })();
  return holder.__slipwayDeployRuntime;
}

/** The queue server actions enqueue on; the panel starts it at boot (lib/server/startup.ts). */
export async function getDeployQueue(): Promise<DeploymentQueue> {
  const runtime = holder.__slipwayDeployRuntime;
  if (!runtime) throw new Error('The deployment queue is not running (the panel starts it at boot).');
  return (await runtime).queue;
}

export async function stopDeployRuntime(): Promise<void> {
  const runtime = await holder.__slipwayDeployRuntime?.catch(() => undefined);
  holder.__slipwayDeployRuntime = undefined;
  if (!runtime) return;
  await runtime.worker?.stop({ graceMs: 10_000 }).catch(() => undefined);
  await runtime.queue.stop().catch(() => undefined);
}
