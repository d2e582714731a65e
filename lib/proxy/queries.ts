// What the Proxy status page shows (administrators): the newest reconciliations of the edge proxy (proxy_syncs, the
// panel's own state, read as system) and how many domains the last good load carried.
import type { Tx } from '@/lib/db/context';

export const RECENT_SYNCS = 20;

export type ProxySyncRow = {
  id: string;
  startedAt: Date;
  finishedAt: Date | null;
  trigger: string;
  result: string;
  routeCount: number;
  error: string | null;
};

export type ProxyStatus = {
  recent: ProxySyncRow[];
  /** The newest pass that left our config running (loaded, unchanged or repaired). */
  lastGood: ProxySyncRow | null;
  /** Domains the proxy serves as they are now, and domains waiting for a load. */
  serving: number;
  pending: number;
};

const GOOD = ['loaded', 'unchanged', 'repaired'];

export async function readProxyStatus(tx: Tx): Promise<ProxyStatus> {
  const select = {
    id: true,
    startedAt: true,
    finishedAt: true,
    trigger: true,
    result: true,
    routeCount: true,
    error: true,
  } as const;
  const [recent, lastGood, counts] = await Promise.all([
    tx.proxySync.findMany({ orderBy: { startedAt: 'desc' }, take: RECENT_SYNCS, select }),
    tx.proxySync.findFirst({ where: { result: { in: GOOD } }, orderBy: { startedAt: 'desc' }, select }),
    tx.$queryRaw<{ serving: bigint; pending: bigint }[]>`
      SELECT count(*) FILTER (WHERE routed_at >= updated_at) AS serving,
             count(*) FILTER (WHERE routed_at IS NULL OR routed_at < updated_at) AS pending
        FROM domains`,
  ]);
  const toRow = (row: (typeof recent)[number]): ProxySyncRow => ({ ...row, id: row.id.toString() });
  return {
    recent: recent.map(toRow),
    lastGood: lastGood ? toRow(lastGood) : null,
    serving: Number(counts[0]?.serving ?? 0),
    pending: Number(counts[0]?.pending ?? 0),
  };
}
