// The log sink against a real PostgreSQL: lines land in write order, in a few multi-row INSERTs (counted by the
// NOTIFY each flush sends, heard on a connection of our own), capped, and copied into deployments.logs at the end.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertAppTree, insertDeployment } from '@/lib/testing/fixtures';

import { createLogSink, finishDeployment, LOGS_CHANNEL, MAX_LINE_BYTES } from './log-sink';

let t: TestDatabase;
let appId: string;
let deploymentId: string;
let listener: pg.Client;
let notices: string[];

beforeAll(async () => {
  t = await createTestDatabase();
  ({ appId } = await insertAppTree(t.db.pool));
  listener = new pg.Client({ connectionString: t.url });
  await listener.connect();
  listener.on('notification', (message) => notices.push(message.payload ?? ''));
  await listener.query(`LISTEN ${LOGS_CHANNEL}`);
});

afterAll(async () => {
  await listener?.end();
  await t?.drop();
});

beforeEach(async () => {
  deploymentId = (await insertDeployment(t.db.pool, appId, { status: 'building' })).id;
  notices = [];
});

async function lines(id = deploymentId) {
  const { rows } = await t.systemPool.query<{ id: string; level: string; message: string }>(
    'SELECT l.id::text AS id, level, message FROM deployment_logs l WHERE deployment_id = $1 ORDER BY l.id',
    [id],
  );
  return rows;
}

/** The sink's NOTIFYs so far: a marker NOTIFY sent now arrives after every one committed before it, so once the
 * listener has it, it has them all. */
async function noticesSettled() {
  const marker = `${deploymentId}:marker-${notices.length}`;
  await t.db.pool.query('SELECT pg_notify($1, $2)', [LOGS_CHANNEL, marker]);
  while (!notices.includes(marker)) await new Promise((resolve) => listener.once('notification', resolve));
  return notices.filter((payload) => payload.startsWith(`${deploymentId}:`) && !payload.includes(':marker-'));
}

describe('createLogSink', () => {
  it('writes a synchronous burst of 1000 lines in two INSERTs, in write order', async () => {
    const sink = createLogSink(t.db.pool, deploymentId);
    for (let i = 0; i < 1000; i += 1) sink.write(i % 7 === 0 ? 'warn' : 'info', `line ${i}`);
    await sink.close();

    const stored = await lines();
    expect(stored.map((row) => row.message)).toEqual(Array.from({ length: 1000 }, (_, i) => `line ${i}`));
    expect(stored.filter((row) => row.level === 'warn')).toHaveLength(143);
    const ids = stored.map((row) => BigInt(row.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    // One NOTIFY per flush transaction, naming the last id of its batch.
    expect(await noticesSettled()).toEqual([
      `${deploymentId}:${stored[499]!.id}`,
      `${deploymentId}:${stored[999]!.id}`,
    ]);
  });

  it('batches a slow trickle by time: a flush waits flushMs after the previous one began', async () => {
    const flushMs = 100;
    const sink = createLogSink(t.db.pool, deploymentId, { flushMs });
    for (let i = 0; i < 60; i += 1) {
      sink.write('info', `tick ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await sink.close();
    const stored = await t.systemPool.query<{ id: string; message: string; at: number }>(
      `SELECT id::text AS id, message, extract(epoch FROM created_at) * 1000 AS at
         FROM deployment_logs WHERE deployment_id = $1 ORDER BY id`,
      [deploymentId],
    );
    expect(stored.rows.map((row) => row.message)).toEqual(Array.from({ length: 60 }, (_, i) => `tick ${i}`));
    // Batches from the NOTIFYs (last id of each). Lines of batch k were written before it began, lines of batch
    // k + 2 after batch k + 1 began, and that began at least flushMs after batch k: so the write times of the last
    // line of k and the first of k + 2 are at least flushMs apart, however slow the machine's timers are.
    const lastIds = (await noticesSettled()).map((payload) => payload.split(':')[1]!);
    const batches: { first: number; last: number }[] = [];
    let first = 0;
    for (const lastId of lastIds) {
      const last = stored.rows.findIndex((row) => row.id === lastId);
      batches.push({ first: Number(stored.rows[first]!.at), last: Number(stored.rows[last]!.at) });
      first = last + 1;
    }
    expect(first).toBe(60);
    expect(batches.length).toBeGreaterThanOrEqual(2); // the first line went at once, the rest did not wait for close
    for (let k = 0; k + 2 < batches.length; k += 1) {
      expect(batches[k + 2]!.first - batches[k]!.last).toBeGreaterThanOrEqual(flushMs);
    }
  });

  it('writes the first line after a quiet spell at once, not after flushMs', async () => {
    // With an hour-long window, the line can only arrive before close() if the sink did not wait for the window.
    const sink = createLogSink(t.db.pool, deploymentId, { flushMs: 3_600_000 });
    sink.write('info', 'hello');
    while (!notices.some((payload) => payload.startsWith(`${deploymentId}:`))) {
      await new Promise((resolve) => listener.once('notification', resolve));
    }
    expect((await lines()).map((row) => row.message)).toEqual(['hello']);
    await sink.close();
  });

  it('caps long lines at a character boundary, replaces NUL and unknown levels, and keeps the rest', async () => {
    const sink = createLogSink(t.db.pool, deploymentId);
    const long = 'é'.repeat(20_000); // 40,000 bytes of two-byte characters
    sink.write('info', long);
    sink.write('error', 'nul\u0000byte');
    sink.write('shout' as never, 'level nobody knows');
    sink.write('debug', 'x'.repeat(MAX_LINE_BYTES));
    await sink.close();

    const [capped, nul, unknown, exact] = await lines();
    expect(Buffer.byteLength(capped!.message.split(' … ')[0]!)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(capped!.message).toMatch(/^é+ … \[truncated: 40000 bytes\]$/);
    expect(nul).toMatchObject({ level: 'error', message: 'nul\uFFFDbyte' });
    expect(unknown).toMatchObject({ level: 'info', message: 'level nobody knows' });
    expect(exact!.message).toHaveLength(MAX_LINE_BYTES);
  });

  it('never drops a line: write() only signals the high-water mark, and everything lands', async () => {
    const sink = createLogSink(t.db.pool, deploymentId, { highWaterMark: 100 });
    const accepted = Array.from({ length: 300 }, (_, i) => sink.write('info', `l${i}`));
    expect(accepted.indexOf(false)).toBe(99);
    expect(sink.buffered).toBe(300);
    await sink.flush();
    expect(sink.buffered).toBe(0);
    expect(await lines()).toHaveLength(300);
    expect(sink.write('info', 'after flush')).toBe(true);
    await sink.close();
    expect(sink.write('info', 'after close')).toBe(false);
    expect(await lines()).toHaveLength(301);
  });

  it('keeps ids in commit order when two processes write the same deployment at once', async () => {
    const other = new pg.Pool({ connectionString: t.url, max: 2 });
    try {
      const a = createLogSink(t.db.pool, deploymentId, { flushMs: 5, maxBatch: 20 });
      const b = createLogSink(other, deploymentId, { flushMs: 5, maxBatch: 20 });
      for (let i = 0; i < 400; i += 1) {
        a.write('info', `a${i}`);
        b.write('info', `b${i}`);
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
      }
      await Promise.all([a.close(), b.close()]);
    } finally {
      await other.end();
    }
    const stored = await lines();
    expect(stored).toHaveLength(800);
    // Each writer's own lines keep their order.
    for (const prefix of ['a', 'b']) {
      const mine = stored.filter((row) => row.message.startsWith(prefix)).map((row) => row.message);
      expect(mine).toEqual(Array.from({ length: 400 }, (_, i) => `${prefix}${i}`));
    }
    // Each NOTIFY's id is larger than every earlier one: batches of one deployment committed one after the other.
    const announced = (await noticesSettled()).map((payload) => BigInt(payload.split(':')[1]!));
    expect(announced.every((id, i) => i === 0 || id > announced[i - 1]!)).toBe(true);
  });

  it('gives up on a deleted deployment instead of retrying forever', async () => {
    const sink = createLogSink(t.db.pool, deploymentId, { onError: () => {} });
    await t.systemPool.query('DELETE FROM deployments WHERE id = $1', [deploymentId]);
    sink.write('info', 'too late');
    await expect(sink.flush()).rejects.toMatchObject({ code: '23503' });
    expect(sink.buffered).toBe(0);
    await sink.close();
  });
});

describe('finishDeployment', () => {
  it('copies the whole log into deployments.logs in id order', async () => {
    const sink = createLogSink(t.db.pool, deploymentId, { maxBatch: 3 });
    for (const line of ['Step 1/2 : FROM base', 'Step 2/2 : RUN make', '  \u001b[32mok\u001b[0m', 'done'])
      sink.write('info', line);
    await sink.close();
    await finishDeployment(t.db.pool, deploymentId);
    const { rows } = await t.systemPool.query<{ logs: string }>('SELECT logs FROM deployments WHERE id = $1', [
      deploymentId,
    ]);
    expect(rows[0]!.logs).toBe('Step 1/2 : FROM base\nStep 2/2 : RUN make\n  \u001b[32mok\u001b[0m\ndone');
  });

  it('leaves logs NULL for a deployment that wrote nothing', async () => {
    await finishDeployment(t.db.pool, deploymentId);
    const { rows } = await t.systemPool.query<{ logs: string | null }>('SELECT logs FROM deployments WHERE id = $1', [
      deploymentId,
    ]);
    expect(rows[0]!.logs).toBeNull();
  });
});
