// Stops the panel that e2e/global-setup.ts started and drops its database. global-setup returns this function, so
// Playwright runs it after the tests (and global-setup calls it itself when it fails half-way).
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import Docker from 'dockerode';
import { require as tsxRequire } from 'tsx/cjs/api';

/**
 * lib/testing/database.ts, loaded through tsx: it reaches the generated Prisma client, whose `import.meta.url` the
 * CommonJS that Playwright compiles specs to cannot run ("exports is not defined in ES module scope").
 */
export function testingDatabase(): typeof import('../lib/testing/database') {
  return tsxRequire('../lib/testing/database.ts', __filename);
}

export type E2eState = { serverPid?: number; database: string; dataDir: string };

/** Where the state of this run lives (set by global-setup, read here in the same process). */
export const STATE_ENV = 'SLIPWAY_E2E_STATE';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The server was started as the leader of its own process group: signal the group, so no child outlives it. */
async function stopServer(pid: number) {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < 10_000 && alive(pid); waited += 100) await sleep(100);
  if (alive(pid)) signal('SIGKILL');
}

/** The panel's slipway-proxy service, when it is this run's (its bind mount is inside the run's data directory). */
async function removeProxyService(dataDir: string): Promise<void> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const services = await docker.listServices({ filters: { name: ['slipway-proxy'] } });
  for (const service of services) {
    const template = service.Spec?.TaskTemplate as { ContainerSpec?: { Mounts?: { Source?: string }[] } } | undefined;
    const mounts = template?.ContainerSpec?.Mounts ?? [];
    if (mounts.some((mount) => mount.Source?.startsWith(dataDir))) await docker.getService(service.ID).remove();
  }
}

export default async function globalTeardown() {
  const file = process.env[STATE_ENV];
  if (!file) return;
  const state = JSON.parse(await readFile(file, 'utf8')) as E2eState;
  try {
    if (state.serverPid) await stopServer(state.serverPid);
    await removeProxyService(state.dataDir);
    await testingDatabase().dropDatabase(state.database);
  } finally {
    // Temporary files go whatever happened above.
    await rm(state.dataDir, { recursive: true, force: true });
    await rm(file, { force: true });
    delete process.env[STATE_ENV];
  }
}
