// Periodic upkeep the spec asks of the database: monthly audit partitions made ahead, retention applied (revoked
// sessions past their end among it), and the application_stats view refreshed. One panel at a time does it (advisory
// lock), the others skip the round.
import type pg from 'pg';

import { asSystemPg } from './context';

// Next to Prisma Migrate's lock key (72707369), so the two are easy to spot in pg_locks.
const MAINTENANCE_LOCK = 72707370;

// Maintenance is system work: applications, deployment_logs, backups and webhook_deliveries have row-level security,
// and the view's query sees what the refreshing session sees, so every statement runs with the bypass (asSystemPg).
const REFRESH_STATS = 'REFRESH MATERIALIZED VIEW CONCURRENTLY application_stats';

export async function refreshApplicationStats(pool: pg.Pool): Promise<void> {
  await asSystemPg(pool, (client) => client.query(REFRESH_STATS));
}

export type MaintenanceReport = { partitionsCreated: number; retention: Record<string, unknown> } | null;

/** Partitions ahead, retention, stats. Returns null when another process holds the maintenance lock. */
export async function runMaintenance(pool: pg.Pool): Promise<MaintenanceReport> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MAINTENANCE_LOCK,
    ]);
    if (!rows[0]?.locked) return null;
    try {
      // One transaction each, as before: a failing step does not undo the ones before it.
      const system = <R extends pg.QueryResultRow>(sql: string) => asSystemPg(client, (c) => c.query<R>(sql));
      const partitions = await system<{ n: number }>('SELECT ensure_audit_log_partitions(3) AS n');
      const retention = await system<{ r: Record<string, unknown> }>('SELECT apply_retention() AS r');
      const deliveries = await system<{ n: number }>('SELECT prune_webhook_deliveries()::int AS n');
      const throttles = await system<{ n: number }>('SELECT prune_sign_in_throttles()::int AS n');
      const sessions = await system<{ n: number }>('SELECT prune_revoked_sessions()::int AS n');
      await system(REFRESH_STATS);
      return {
        partitionsCreated: partitions.rows[0]?.n ?? 0,
        retention: {
          ...retention.rows[0]?.r,
          webhook_deliveries_deleted: deliveries.rows[0]?.n ?? 0,
          sign_in_throttles_deleted: throttles.rows[0]?.n ?? 0,
          revoked_sessions_deleted: sessions.rows[0]?.n ?? 0,
        },
      };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MAINTENANCE_LOCK]);
    }
  } finally {
    client.release();
  }
}

export type MaintenanceSchedule = { stop: () => void };

/** Full maintenance now and every `fullEveryMs`; stats refreshed every `statsEveryMs`. Timers never hold the process. */
export type MaintenanceOptions = { fullEveryMs?: number; statsEveryMs?: number; log?: (line: string) => void };

export function scheduleMaintenance(pool: pg.Pool, options: MaintenanceOptions = {}): MaintenanceSchedule {
  const { fullEveryMs = 6 * 3600_000, statsEveryMs = 30_000, log = () => {} } = options;
  const report = (what: string) => (error: unknown) => log(`${what} failed: ${(error as Error).message}`);
  void runMaintenance(pool).catch(report('maintenance'));
  const full = setInterval(() => void runMaintenance(pool).catch(report('maintenance')), fullEveryMs);
  const stats = setInterval(() => void refreshApplicationStats(pool).catch(report('stats refresh')), statsEveryMs);
  full.unref();
  stats.unref();
  const listener = refreshStatsOnChange(pool, { log });
  return {
    stop: () => {
      [full, stats].forEach(clearInterval);
      listener.stop();
    },
  };
}

export const STATS_CHANNEL = 'slipway_application_stats';

/**
 * LISTENs for the trigger that fires when application counts move, and refreshes application_stats `delayMs`
 * later: a burst of changes costs one refresh, and a change during a refresh gets one more. Holds one pooled
 * connection; reconnects after an error.
 */
export function refreshStatsOnChange(
  pool: pg.Pool,
  {
    delayMs = 250,
    retryMs = 5000,
    log = () => {},
  }: { delayMs?: number; retryMs?: number; log?: (line: string) => void } = {},
): MaintenanceSchedule {
  let stopped = false;
  let client: pg.PoolClient | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;

  const refresh = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await refreshApplicationStats(pool);
    } catch (error) {
      log(`stats refresh failed: ${(error as Error).message}`);
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (timer || stopped) return;
    timer = setTimeout(() => void refresh(), delayMs);
    timer.unref();
  };

  const connect = async () => {
    if (stopped) return;
    try {
      const next = await pool.connect();
      next.on('notification', schedule);
      next.on('error', (error) => {
        log(`stats listener lost its connection: ${error.message}`);
        next.release(true);
        if (client === next) client = null;
        if (!stopped) setTimeout(() => void connect(), retryMs).unref();
      });
      await next.query(`LISTEN ${STATS_CHANNEL}`);
      if (stopped) next.release(true);
      else client = next;
    } catch (error) {
      log(`stats listener could not connect: ${(error as Error).message}`);
      if (!stopped) setTimeout(() => void connect(), retryMs).unref();
    }
  };
  void connect();

  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      // Destroyed, not returned: a pooled connection must not carry a LISTEN to its next user.
      client?.release(true);
      client = null;
    },
  };
}
