// A deployment's log as a sequence of events: the lines already written (from a given id on), then the lines as
// they are committed, status changes, and an end once the deployment is over and every line was sent. It relies
// on the database alone (LISTEN for wake-ups, keyset reads for data), so the writer may be another process, and
// a notification is only a hint to read: none carries data, and a missed one is made good by the next read.
import type pg from 'pg';

import { asSystemPg } from '@/lib/db/context';

import { LOGS_CHANNEL, STATUS_CHANNEL, type LogLevel } from './log-sink';
import { subscribe, type Unsubscribe } from './notify';
import { isTerminal, type DeploymentStatus } from './state';

/** Row ids are bigint: kept as decimal strings end to end (JSON and Last-Event-ID alike). */
export type DeploymentLogEvent =
  | { type: 'log'; id: string; level: LogLevel; message: string; createdAt: string }
  | { type: 'status'; status: DeploymentStatus }
  | { type: 'end'; status: DeploymentStatus };

export type StreamOptions = {
  pool: pg.Pool;
  deploymentId: string;
  /** Replay starts after this row id ('0' or absent: from the first line). */
  afterId?: string | null;
  /** Aborting ends the iteration and releases the subscription, even while it waits for new lines. */
  signal?: AbortSignal;
  batchSize?: number;
};

const ID = /^\d{1,19}$/;

/** A Last-Event-ID or ?after= value as a row id; anything else means "from the start". */
export function parseAfterId(value: string | null | undefined): string {
  const trimmed = value?.trim() ?? '';
  return ID.test(trimmed) && BigInt(trimmed) <= 9223372036854775807n ? BigInt(trimmed).toString() : '0';
}

type LogEvent = Extract<DeploymentLogEvent, { type: 'log' }>;
/** Events are shared by every viewer that read the same page: frozen, so none can change another's. */
type Page = { status: DeploymentStatus | null; events: readonly LogEvent[] };
type PageRow = { status: DeploymentStatus; id: string | null; level: LogLevel; message: string; created_at: Date };

// Status and lines in one statement, hence one snapshot: when it reads a final status, every line committed before
// that status change (the pipeline closes its sink first) is among the lines it can return.
const PAGE = `
  SELECT d.status, l.id::text AS id, l.level, l.message, l.created_at
    FROM deployments d
    LEFT JOIN LATERAL (
      SELECT id, level, message, created_at FROM deployment_logs
       WHERE deployment_id = d.id AND id > $2::bigint
       ORDER BY id LIMIT $3) l ON true
   WHERE d.id = $1
   ORDER BY l.id`;

/**
 * Reads in flight, by deployment, then position: viewers woken by the same NOTIFY at the same position (every
 * caught-up viewer) share one query and its rows. Only a read started after the NOTIFY may be shared, so each
 * NOTIFY for a deployment forgets its reads in flight (forget() runs in the notification's own tick, before any
 * woken viewer reads).
 */
const inFlight = new WeakMap<pg.Pool, Map<string, Map<string, Promise<Page>>>>();

function forget(pool: pg.Pool, deploymentId: string): void {
  inFlight.get(pool)?.delete(deploymentId);
}

function readPage(pool: pg.Pool, deploymentId: string, afterId: string, limit: number): Promise<Page> {
  let byPool = inFlight.get(pool);
  if (!byPool) inFlight.set(pool, (byPool = new Map()));
  let reads = byPool.get(deploymentId);
  if (!reads) byPool.set(deploymentId, (reads = new Map()));
  const key = `${afterId}:${limit}`;
  const shared = reads.get(key);
  if (shared) return shared;
  const read = queryPage(pool, deploymentId, afterId, limit).finally(() => {
    if (byPool.get(deploymentId)?.get(key) === read) byPool.get(deploymentId)!.delete(key);
    if (byPool.get(deploymentId)?.size === 0) byPool.delete(deploymentId);
  });
  reads.set(key, read);
  return read;
}

// System work: the caller authorized the viewer for this deployment before streaming (lib/deploy/log-response.ts),
// and one read serves every viewer of the deployment at that position, whoever they are.
async function queryPage(pool: pg.Pool, deploymentId: string, afterId: string, limit: number): Promise<Page> {
  const { rows } = await asSystemPg(pool, (client) => client.query<PageRow>(PAGE, [deploymentId, afterId, limit]));
  if (rows.length === 0) return { status: null, events: [] };
  const events = rows.flatMap((row) =>
    row.id === null
      ? []
      : [
          Object.freeze({
            type: 'log' as const,
            id: row.id,
            level: row.level,
            message: row.message,
            createdAt: row.created_at.toISOString(),
          }),
        ],
  );
  return { status: rows[0]!.status, events: Object.freeze(events) };
}

/** Payload '<deployment id>:<rest>' for this deployment: the rest, else null. */
function payloadFor(payload: string, deploymentId: string): string | null {
  return payload.length > deploymentId.length && payload.startsWith(`${deploymentId}:`)
    ? payload.slice(deploymentId.length + 1)
    : null;
}

export async function* streamDeploymentLogs(
  options: StreamOptions,
): AsyncGenerator<DeploymentLogEvent, void, undefined> {
  const { pool, deploymentId, signal, batchSize = 500 } = options;
  let lastId = BigInt(parseAfterId(options.afterId));
  let dirty = true;
  let wake: (() => void) | null = null;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  // Any announcement for this deployment (or a lost listener) makes reads in flight unshareable, then wakes us.
  const refresh = () => {
    forget(pool, deploymentId);
    poke();
  };
  signal?.addEventListener('abort', poke);
  const unsubscribes: Unsubscribe[] = [];
  try {
    // Listening before the first read: a batch committed during the replay is announced, not missed.
    unsubscribes.push(
      await subscribe(pool, LOGS_CHANNEL, {
        onNotify: (payload) => {
          const written = payloadFor(payload, deploymentId);
          if (written === null) return;
          forget(pool, deploymentId);
          // Announcements of lines already sent (they arrive while a read is running) cost no read.
          if (ID.test(written) && BigInt(written) > lastId) poke();
        },
        onReconnect: refresh,
      }),
    );
    unsubscribes.push(
      await subscribe(pool, STATUS_CHANNEL, {
        onNotify: (payload) => {
          if (payloadFor(payload, deploymentId) !== null) refresh();
        },
        onReconnect: refresh,
      }),
    );
    let sentStatus: DeploymentStatus | null = null;
    while (!signal?.aborted) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        continue;
      }
      dirty = false;
      for (;;) {
        const page = await readPage(pool, deploymentId, lastId.toString(), batchSize);
        if (page.status === null || signal?.aborted) return; // deleted (with its application), or the viewer left
        // The first status goes before the replay (the viewer shows the stage at once); a change after the lines
        // read with it, which were written before it.
        if (sentStatus === null) {
          sentStatus = page.status;
          yield { type: 'status', status: page.status };
        }
        for (const event of page.events) {
          lastId = BigInt(event.id);
          yield event;
        }
        if (page.status !== sentStatus) {
          sentStatus = page.status;
          yield { type: 'status', status: page.status };
        }
        if (page.events.length < batchSize) {
          if (isTerminal(page.status)) {
            yield { type: 'end', status: page.status };
            return;
          }
          break;
        }
      }
    }
  } finally {
    signal?.removeEventListener('abort', poke);
    for (const unsubscribe of unsubscribes) unsubscribe();
  }
}
