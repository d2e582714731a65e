// GET /api/health — database reachability, mode, migration state and version, for monitors and the test suite.
import { database } from '@/lib/db';
import { migrationStatus } from '@/lib/db/migrate';
import { env } from '@/lib/env';
import pkg from '@/package.json';

export const dynamic = 'force-dynamic';

export async function GET() {
  const started = performance.now();
  try {
    const db = await database();
    const client = await db.pool.connect();
    try {
      const server = await client.query<{ version: string }>("SELECT current_setting('server_version') AS version");
      const migrations = await migrationStatus(client, db.migrationsDir);
      const healthy = migrations.pending.length === 0 && migrations.failed.length === 0;
      return Response.json(
        {
          status: healthy ? 'ok' : 'degraded',
          version: pkg.version,
          database: {
            reachable: true,
            mode: db.mode,
            serverVersion: server.rows[0]?.version,
            latencyMs: Math.round((performance.now() - started) * 10) / 10,
          },
          migrations: {
            applied: migrations.applied.length,
            pending: migrations.pending,
            failed: migrations.failed,
            latest: migrations.applied.at(-1) ?? null,
          },
        },
        { status: healthy ? 200 : 503, headers: { 'cache-control': 'no-store' } },
      );
    } finally {
      client.release();
    }
  } catch (error) {
    // Details go to the server log only: they can name hosts and users.
    console.error(`[slipway] health check failed: ${(error as Error).message}`);
    return Response.json(
      {
        status: 'error',
        version: pkg.version,
        database: { reachable: false, mode: env().DATABASE_URL ? 'external' : 'embedded' },
      },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    );
  }
}
