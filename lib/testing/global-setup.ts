// Vitest global setup of the integration project: the test role and a migrated template database.
import pg from 'pg';
import { migrate } from '@/lib/db/migrate';
import { MIGRATIONS_DIR, TEST_ROLE, ensureTestRole, roleUrl, templateName, withAdmin } from './database';

export default async function setup() {
  const template = templateName();
  await withAdmin(async (client) => {
    await ensureTestRole(client);
    // Clones left behind by interrupted runs.
    const stale = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'slipway\\_t\\_%' OR (datname LIKE 'slipway\\_tpl\\_%' AND datname <> $1)",
      [template],
    );
    for (const { datname } of stale.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount) return;
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
