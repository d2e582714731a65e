// Asking for a proxy reconciliation from anywhere (an action that added a domain, the deploy worker when a
// deployment reached a final status): one NOTIFY on PROXY_CHANNEL, which the reconciler runner (lib/proxy/runner.ts)
// LISTENs to through lib/deploy/notify.ts and coalesces. Requests made in the same tick are sent as one NOTIFY;
// PostgreSQL also folds identical notifications of one transaction. Never throws: a lost request is caught up by
// the runner's periodic pass.
import { database } from '@/lib/db';
import { asSystemPg } from '@/lib/db/context';

/** NOTIFY channel the proxy reconciler listens to; payload: the trigger (what asked, for proxy_syncs.trigger). */
export const PROXY_CHANNEL = 'slipway_proxy_sync';

let pending: Set<string> | null = null;

/** Makes a proxy reconciliation happen soon in whichever process runs the reconciler. Fire-and-forget. */
export function requestProxySync(trigger: string): void {
  try {
    const clean =
      String(trigger)
        .replace(/[^\w:.\- ]/g, '')
        .slice(0, 60) || 'request';
    if (pending) {
      pending.add(clean);
      return;
    }
    pending = new Set([clean]);
    queueMicrotask(() => {
      const triggers = [...(pending ?? [])].join(',').slice(0, 200);
      pending = null;
      void send(triggers);
    });
  } catch (error) {
    console.error(`[slipway] proxy sync request failed: ${(error as Error).message}`);
  }
}

async function send(trigger: string): Promise<void> {
  try {
    const { pool } = await database();
    await asSystemPg(pool, (client) => client.query('SELECT pg_notify($1, $2)', [PROXY_CHANNEL, trigger]));
  } catch (error) {
    console.error(`[slipway] proxy sync request (${trigger}) was not sent: ${(error as Error).message}`);
  }
}
