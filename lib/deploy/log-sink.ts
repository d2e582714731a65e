// Where a deployment's output goes: deployment_logs rows, written in batches (one multi-row INSERT per flush, not
// one per line) and announced to live viewers with a NOTIFY in the same transaction. write() stays synchronous, so
// a build's output stream never waits on the database, and nothing is dropped: when the buffer passes its
// high-water mark write() returns false, and a producer that can pause awaits flush().
import type pg from 'pg';

import { asSystemPg } from '@/lib/db/context';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** NOTIFY channel of written batches; payload '<deployment id>:<last row id>' (never the lines themselves). */
export const LOGS_CHANNEL = 'slipway_deployment_logs';
/** NOTIFY channel of status changes (migration 20261128000000): '<deployment id>:<status>' or ':deleted'. */
export const STATUS_CHANNEL = 'slipway_deployment_status';

/** A line longer than this (UTF-8 bytes) is cut; a runaway line must not make a multi-megabyte row and event. */
export const MAX_LINE_BYTES = 16 * 1024;

// Beside Prisma Migrate's (72707369) and maintenance's (72707370) keys; the second key is the deployment.
const WRITE_LOCK = 72707371;

export type LogSinkOptions = {
  /** A batch smaller than maxBatch waits at most this long after the previous flush began. */
  flushMs?: number;
  maxBatch?: number;
  /** write() returns false above this many buffered lines. */
  highWaterMark?: number;
  maxLineBytes?: number;
  onError?: (error: Error) => void;
};

export type LogSink = {
  /** Buffers one line; false when the buffer is above its high-water mark (nothing is dropped either way). */
  write: (level: LogLevel, message: string) => boolean;
  /** Resolves when every line written before the call is committed; rejects when the database refused them. */
  flush: () => Promise<void>;
  /** Flushes and stops the timer; later writes are ignored. */
  close: () => Promise<void>;
  readonly buffered: number;
};

type Line = { level: LogLevel; message: string; at: Date };

const INSERT_BATCH = `
  WITH inserted AS (
    INSERT INTO deployment_logs (deployment_id, level, message, created_at)
    SELECT $1::uuid, u.level, u.message, u.at
      FROM unnest($2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS u(level, message, at, n)
     ORDER BY u.n
    RETURNING id)
  SELECT max(id)::text AS last_id, pg_notify('${LOGS_CHANNEL}', $1::text || ':' || max(id)::text)
    FROM inserted`;

/** A line as the table can hold it: no NUL (PostgreSQL text refuses it), at most maxBytes of UTF-8. */
export function capLine(message: string, maxBytes = MAX_LINE_BYTES): string {
  const clean = message.includes('\u0000') ? message.replaceAll('\u0000', '\uFFFD') : message;
  // A UTF-16 unit is at most 3 UTF-8 bytes: most lines are decided without encoding them.
  if (clean.length * 3 <= maxBytes) return clean;
  const bytes = Buffer.from(clean, 'utf8');
  if (bytes.length <= maxBytes) return clean;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1; // not inside a multi-byte character
  return `${bytes.subarray(0, end).toString('utf8')} … [truncated: ${bytes.length} bytes]`;
}

function isLevel(value: unknown): value is LogLevel {
  return (LOG_LEVELS as readonly unknown[]).includes(value);
}

// The deployment is gone (its application was deleted): retrying would never succeed.
const isGone = (error: unknown) => (error as { code?: string }).code === '23503';

// The worker writes for no person: system work (deployment_logs has row-level security through its deployment).
async function insertBatch(pool: pg.Pool, deploymentId: string, batch: Line[]): Promise<void> {
  await asSystemPg(pool, async (client) => {
    // Writers of one deployment take turns, so its ids are committed in increasing order and a viewer that has
    // read up to id N never later meets a smaller id (another process writing the same deployment included).
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WRITE_LOCK, deploymentId]);
    await client.query(INSERT_BATCH, [
      deploymentId,
      batch.map((line) => line.level),
      batch.map((line) => line.message),
      batch.map((line) => line.at),
    ]);
  });
}

export function createLogSink(pool: pg.Pool, deploymentId: string, options: LogSinkOptions = {}): LogSink {
  const {
    flushMs = 100,
    maxBatch = 500,
    highWaterMark = 10_000,
    maxLineBytes = MAX_LINE_BYTES,
    onError = (error: Error) =>
      console.error(`[slipway] deployment ${deploymentId}: log lines not written yet: ${error.message}`),
  } = options;
  let buffer: Line[] = [];
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let draining = false;
  let lastFlushAt = 0;
  let failures = 0;
  let closed = false;

  // Writes until the buffer is empty; unless forced, a partial batch waits for the next window (throttle).
  const drain = async (force: boolean) => {
    draining = true;
    try {
      while (buffer.length > 0) {
        const wait = lastFlushAt + flushMs - Date.now();
        if (!force && buffer.length < maxBatch && wait > 0) {
          arm(wait);
          return;
        }
        lastFlushAt = Date.now();
        const batch = buffer.slice(0, maxBatch);
        try {
          await insertBatch(pool, deploymentId, batch);
        } catch (error) {
          if (isGone(error)) buffer = [];
          throw error;
        }
        buffer = buffer.slice(batch.length);
      }
    } finally {
      draining = false;
    }
  };

  // After a failure the lines stay buffered and are retried, backing off up to 5 s (the database may be restarting).
  const run = (force: boolean) => {
    const next = chain.then(() => drain(force));
    chain = next.then(
      () => {
        failures = 0;
      },
      () => {
        failures += 1;
        if (!closed && buffer.length > 0) arm(Math.min(flushMs * 2 ** failures, 5000));
      },
    );
    return next;
  };

  function arm(delay: number) {
    if (timer) return;
    timer = setTimeout(
      () => {
        timer = null;
        run(false).catch((error: Error) => onError(error));
      },
      Math.max(0, delay),
    );
  }

  function disarm() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  return {
    write(level, message) {
      if (closed) return false;
      buffer.push({
        level: isLevel(level) ? level : 'info',
        message: capLine(String(message), maxLineBytes),
        at: new Date(),
      });
      // A synchronous burst is gathered before the first flush (timer 0 runs after it); a full batch goes at once.
      if (!draining && buffer.length === maxBatch) disarm();
      if (!draining) arm(buffer.length >= maxBatch ? 0 : lastFlushAt + flushMs - Date.now());
      return buffer.length < highWaterMark;
    },
    flush() {
      disarm();
      return run(true);
    },
    async close() {
      closed = true;
      disarm();
      await run(true);
    },
    get buffered() {
      return buffer.length;
    },
  };
}

/** Keeps the whole log in deployments.logs (lines joined in id order); the pipeline calls it when a deployment ends. */
export async function finishDeployment(pool: pg.Pool, deploymentId: string): Promise<void> {
  await asSystemPg(pool, (client) =>
    client.query(
      `UPDATE deployments
          SET logs = (SELECT string_agg(message, E'\\n' ORDER BY id) FROM deployment_logs WHERE deployment_id = $1)
        WHERE id = $1`,
      [deploymentId],
    ),
  );
}
