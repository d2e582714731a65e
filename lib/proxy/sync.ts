// Asking for a proxy reconciliation from anywhere (an action that added a domain, the deploy worker when a
// deployment reached a final status): one NOTIFY on PROXY_CHANNEL, which the reconciler runner (lib/proxy/runner.ts)
// LISTENs to through lib/deploy/notify.ts and coalesces. Requests made in the same tick are sent as one NOTIFY;
// PostgreSQL also folds identical notifications of one transaction. Never throws: a lost request is caught up by
// the runner's periodic pass.
import type pg from 'pg';

import type { Database } from '@/lib/db/connection';
import { asSystemPg } from '@/lib/db/context';
import { recall } from '@/lib/server/remember';

/** NOTIFY channel the proxy reconciler listens to; payload: the trigger (what asked, for proxy_syncs.trigger). */
export const PROXY_CHANNEL = 'slipway_proxy_sync';

let pending: Set<string> | null = null;
let pendingPool: pg.Pool | undefined;

/**
 * Makes a proxy reconciliation happen soon in whichever process runs the reconciler. Fire-and-forget. `pool`: the
 * database to notify through (the worker passes its own); without it, the process's database when it is open (this
 * never opens one: a process without a database has nothing to announce).
 */
export function requestProxySync(trigger: string, pool?: pg.Pool): void {
  try {
    const clean =
      String(trigger)
        .replace(/[^\w:.\- ]/g, '')
        .slice(0, 60) || 'request';
    if (pending && pendingPool === pool) {
      pending.add(clean);
      return;
    }
    const batch = new Set([clean]);
    pending = batch;
    pendingPool = pool;
    queueMicrotask(() => {
      if (pending === batch) pending = null;
      void send([...batch].join(',').slice(0, 50), pool);
    });
  } catch (error) {
    console.error(`[slipway] proxy sync request failed: ${(error as Error).message}`);
  }
}

async function send(trigger: string, given?: pg.Pool): Promise<void> {
  try {
    const pool = given ?? (await recall<Promise<Database>>('database'))?.pool;
    if (!pool) return;
    await asSystemPg(pool, (client) => client.query('SELECT pg_notify($1, $2)', [PROXY_CHANNEL, trigger]));
  } catch (error) {
    console.error(`[slipway] proxy sync request (${trigger}) was not sent: ${(error as Error).message}`);
  }
}
