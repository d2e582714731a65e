// Panel start-up: configuration checked, database opened and migrated (the embedded server started if needed), the
// secrets key ring loaded (generated on first start),
// maintenance scheduled, and a clean stop of the embedded server on SIGINT/SIGTERM.
import { database } from '@/lib/db';
import type { Database } from '@/lib/db/connection';
import { scheduleMaintenance } from '@/lib/db/maintenance';
import { configureDeployRuntime, stopDeployRuntime } from '@/lib/deploy/runtime';
import { env, type Env } from '@/lib/env';
import { getKeyRing } from '@/lib/secrets/key-ring';
import { watchTrustedProxies } from '@/lib/settings/trusted-proxies';

import { remember } from './remember';

/** The proxy's loop for this process; a proxy that cannot start is logged, the panel still serves. */
async function startEdge(db: Database, config: Env) {
  const [{ startEdgeProxy }, { getDocker }] = await Promise.all([
    import('@/lib/proxy/process'),
    import('@/lib/deploy/docker'),
  ]);
  return startEdgeProxy(db, config, { docker: getDocker }).catch((error: unknown) => {
    console.error(`[slipway] the edge proxy did not start: ${(error as Error).message}`);
    return null;
  });
}

/** Once per process, however many copies of this module Next.js loads. */
export function startPanel(): Promise<void> {
  return remember('panel-start', start);
}

async function start(): Promise<void> {
  try {
    const config = env();
    const db = await database();
    // Load (or create, on first start) the key for secrets at rest now, so a bad key stops the start, not a save.
    await getKeyRing();
    // The administrator's trusted proxies replace the server's start-up list before the first request (D66).
    const proxies = watchTrustedProxies(db.prisma, { log: (line) => console.error(`[slipway] ${line}`) });
    await proxies.ready;
    // The deployment queue and, unless turned off, the worker: now if a deployment is unfinished (recovery), else on
    // the first deployment.
    await configureDeployRuntime(db, { worker: config.SLIPWAY_WORKER === 'on' });
    const maintenance =
      config.SLIPWAY_MAINTENANCE === 'on'
        ? scheduleMaintenance(db.pool, { log: (line) => console.error(`[slipway] ${line}`) })
        : null;
    // The edge proxy runs beside the worker (D81): off by default, loaded only when on.
    const edge = config.SLIPWAY_PROXY !== 'off' && config.SLIPWAY_WORKER === 'on' ? await startEdge(db, config) : null;
    const where = db.embedded ? `embedded PostgreSQL on 127.0.0.1:${db.embedded.port}` : 'PostgreSQL at DATABASE_URL';
    console.log(`[slipway] ready on http://localhost:${config.PORT} (database: ${where})`);

    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      console.log(`[slipway] ${signal}: stopping`);
      // The stats listener holds a pooled connection: let it go first, or closing the pool would wait for it.
      maintenance?.stop();
      proxies.stop();
      Promise.resolve(edge?.stop())
        .then(() => stopDeployRuntime())
        .then(() => db.close())
        .catch((error: Error) => console.error(`[slipway] stop failed: ${error.message}`))
        .finally(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    // Fail at start, with the reason, rather than serve a panel that cannot work.
    console.error(`[slipway] cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}
