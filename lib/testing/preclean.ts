// What crashed test runs leave behind, swept at the start of the next run (the integration global setup): their
// databases and their Docker objects. Only test objects of runs that are gone: a concurrent run's are left alone.
import type Docker from 'dockerode';
import type pg from 'pg';

import { LABEL } from '@/lib/swarm/names';
import { testRunOf } from '@/lib/swarm/test-support';

/** A run never lasts this long (CI stops at 45 minutes): a test database older than this belongs to a dead run. */
const STALE_AFTER = '2 hours';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops the test databases of dead runs: those named after their process (`slipway_e2e_setup_<pid>`,
 * `slipway_m_<kind>_<pid>`) once that process is gone, and the others (`slipway_t_*` clones, `slipway_e2e_*`
 * panels, templates other than `keepTemplate`) once older than STALE_AFTER. Returns the names dropped.
 */
export async function dropStaleDatabases(client: pg.Client, keepTemplate: string): Promise<string[]> {
  // missing_ok: a concurrent run may drop a database between the listing and the stat.
  const { rows } = await client.query<{ datname: string; stale: boolean }>(
    `SELECT datname,
            coalesce((pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification < now() - $2::interval, false) AS stale
       FROM pg_database
      WHERE datname LIKE 'slipway\\_t\\_%' OR datname LIKE 'slipway\\_e2e\\_%' OR datname LIKE 'slipway\\_m\\_%'
         OR (datname LIKE 'slipway\\_tpl\\_%' AND datname <> $1 AND datname <> $1 || '_new')`,
    [keepTemplate, STALE_AFTER],
  );
  const dropped: string[] = [];
  for (const { datname, stale } of rows) {
    const owner = /^slipway_(?:e2e_setup|m_[a-z]+)_(\d+)$/.exec(datname);
    const dead = owner ? !alive(Number(owner[1])) : stale;
    if (!dead) continue;
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    dropped.push(datname);
  }
  return dropped;
}

type Labelled = { Labels?: Record<string, string> | null };

/** Whether a Slipway object belongs to a test project (testProjectId) of a process that is gone. */
function ofDeadRun(labels: Labelled['Labels']): boolean {
  if (labels?.[LABEL.managed] !== 'true') return false;
  const pid = testRunOf(labels[LABEL.project]);
  return pid !== null && !alive(pid);
}

/**
 * Removes the services, containers, networks and images of test projects whose process is gone: only objects with
 * Slipway's labels and a test project id (lib/swarm/test-support.ts), never a real panel's. Returns what it removed;
 * an object that will not go is reported, not thrown (the run's own cleanup does not depend on it).
 */
export async function removeDeadRunObjects(docker: Docker, log: (line: string) => void): Promise<string[]> {
  const managed = { label: [`${LABEL.managed}=true`] };
  const removed: string[] = [];
  const remove = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
      removed.push(what);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404)
        log(`pre-clean: could not remove ${what}: ${(error as Error).message}`);
    }
  };
  for (const service of await docker.listServices({ filters: managed })) {
    if (ofDeadRun(service.Spec?.Labels))
      await remove(`service ${service.Spec?.Name}`, () => docker.getService(service.ID).remove());
  }
  for (const container of await docker.listContainers({ all: true, filters: managed })) {
    if (ofDeadRun(container.Labels)) {
      await remove(`container ${container.Id.slice(0, 12)}`, () =>
        docker.getContainer(container.Id).remove({ force: true }),
      );
    }
  }
  for (const network of await docker.listNetworks({ filters: managed })) {
    if (ofDeadRun(network.Labels))
      await remove(`network ${network.Name}`, () => docker.getNetwork(network.Id).remove());
  }
  for (const image of await docker.listImages({ filters: managed })) {
    if (ofDeadRun(image.Labels))
      await remove(`image ${image.RepoTags?.[0] ?? image.Id}`, () => docker.getImage(image.Id).remove({ force: true }));
  }
  return removed;
}
