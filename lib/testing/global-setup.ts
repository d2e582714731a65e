// Vitest global setup of the integration project: the test role and a migrated template database.
import pg from 'pg';
import { migrate } from '@/lib/db/migrate';
import { MIGRATIONS_DIR, TEST_ROLE, ensureTestRole, roleUrl, templateName, withAdmin } from './database';

export default async function setup() {
  const template = templateName();
  await withAdmin(async (client) => {
    await ensureTestRole(client);
    // Clones left behind by interrupted runs (older than two hours, so a concurrent run's are left alone).
    const stale = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE (datname LIKE 'slipway\\_t\\_%' OR (datname LIKE 'slipway\\_tpl\\_%' AND datname NOT LIKE $1 || '%'))
          AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '2 hours'`,
      [template],
    );
    for (const { datname } of stale.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    // Two runs starting together build the template once.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
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
}
