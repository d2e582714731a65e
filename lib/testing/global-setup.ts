// Vitest global setup of the integration project: leftovers of dead runs swept, the test role, and a migrated
// template database (one per migration set and month, see templateName).
import pg from 'pg';

import { migrate } from '@/lib/db/migrate';
import { connectDocker } from '@/lib/swarm';

import { ensureTestRole, MIGRATIONS_DIR, roleUrl, TEMPLATE_ENV, templateName, TEST_ROLE, withAdmin } from './database';
import { dropStaleDatabases, removeDeadRunObjects } from './preclean';

/** Building a template takes seconds; a run holding the lock this long has hung. */
const TEMPLATE_LOCK_WAIT_MS = 5 * 60_000;

const log = (line: string) => console.log(`[test setup] ${line}`);

export default async function setup() {
  const template = templateName();
  // Test files (worker processes started after this) clone this template even if the month turns meanwhile.
  process.env[TEMPLATE_ENV] = template;
  await withAdmin(async (client) => {
    await ensureTestRole(client);
    const dropped = await dropStaleDatabases(client, template);
    if (dropped.length) log(`dropped ${dropped.length} database(s) of dead runs: ${dropped.join(', ')}`);
    // Two runs starting together build the template once.
    await lockTemplate(client, template);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount) return;
    await client.query(`DROP DATABASE IF EXISTS ${template}_new WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${template}_new OWNER ${TEST_ROLE}`);
    const pool = new pg.Pool({ connectionString: roleUrl(`${template}_new`), max: 1 });
    try {
      await migrate(pool, { dir: MIGRATIONS_DIR });
    } finally {
      await pool.end();
    }
    // Renamed only once fully migrated, so a half-made template is never cloned.
    await client.query(`ALTER DATABASE ${template}_new RENAME TO ${template}`);
  });
  await precleanDocker();
}

async function lockTemplate(client: pg.Client, template: string): Promise<void> {
  const deadline = Date.now() + TEMPLATE_LOCK_WAIT_MS;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      template,
    ]);
    if (rows[0]!.locked) return;
    if (Date.now() > deadline) {
      const holder = await client.query<{ pid: number; application_name: string; state: string }>(
        `SELECT a.pid, a.application_name, a.state FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE l.locktype = 'advisory' AND l.objid = hashtext($1)::oid AND l.granted`,
        [template],
      );
      const who = holder.rows
        .map((row) => `backend ${row.pid} (${row.application_name || 'no name'}, ${row.state})`)
        .join(', ');
      throw new Error(
        `Another test run has held the lock on the test template ${template} for over ${TEMPLATE_LOCK_WAIT_MS / 60_000} minutes ` +
          `(${who || 'holder unknown'}): it has probably hung while migrating. Stop that run (or SELECT pg_terminate_backend(<pid>)) and start again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Docker objects of dead test runs; a machine without Docker has none to sweep. */
async function precleanDocker(): Promise<void> {
  const docker = connectDocker({ host: process.env.DOCKER_HOST });
  try {
    await docker.ping();
  } catch {
    log('Docker is not reachable: no Docker leftovers to sweep');
    return;
  }
  const removed = await removeDeadRunObjects(docker, log);
  if (removed.length) log(`removed ${removed.length} Docker object(s) of dead runs: ${removed.join(', ')}`);
}
