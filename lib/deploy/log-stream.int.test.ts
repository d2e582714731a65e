// Streaming a deployment's log from a real PostgreSQL: replay, live lines with no gap or repeat (also from a
// writer on another pool, as another process would be), status events and the end, one shared LISTEN
// connection, and nothing held once the viewer leaves or the listener's connection is killed.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertAppTree, insertDeployment, withSuperuser } from '@/lib/testing/fixtures';

import { createLogSink, LOGS_CHANNEL } from './log-sink';
import { streamDeploymentLogs, type DeploymentLogEvent } from './log-stream';
import { configureNotify, listenerState, settled, subscribe } from './notify';
import { waitFor } from './testing/fixtures';

let t: TestDatabase;
let appId: string;
let deploymentId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ appId } = await insertAppTree(t.db.pool));
  configureNotify({ retryMs: 50, log: () => {} });
});

afterAll(async () => {
  await t?.drop();
});

beforeEach(async () => {
  deploymentId = (await insertDeployment(t.db.pool, appId, { status: 'building' })).id;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function writeLines(count: number, prefix = 'line', pool = t.db.pool) {
  const sink = createLogSink(pool, deploymentId);
  for (let i = 0; i < count; i += 1) sink.write('info', `${prefix} ${i}`);
  await sink.close();
}

const setStatus = (status: string) =>
  t.systemPool.query('UPDATE deployments SET status = $2 WHERE id = $1', [deploymentId, status]);

/** Collects events until the stream ends (or `until` says stop); the test's timeout catches a stream that never ends.
 * `into` lets the test watch the events as they arrive. */
async function collect(
  options: {
    afterId?: string;
    signal?: AbortSignal;
    pool?: pg.Pool;
    until?: (events: DeploymentLogEvent[]) => boolean;
    into?: DeploymentLogEvent[];
  } = {},
): Promise<DeploymentLogEvent[]> {
  const events: DeploymentLogEvent[] = options.into ?? [];
  const { pool = t.db.pool, afterId, signal } = options;
  for await (const event of streamDeploymentLogs({ pool, deploymentId, afterId, signal })) {
    events.push(event);
    if (options.until?.(events)) break;
  }
  return events;
}

const messages = (events: DeploymentLogEvent[]) =>
  events.flatMap((event) => (event.type === 'log' ? [event.message] : []));
const range = (count: number, prefix = 'line', from = 0) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);

/** Backends of this database sitting in LISTEN (what a viewer holds), seen by the superuser. */
async function listeningBackends(): Promise<number> {
  return withSuperuser(t.adminUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    return rows[0]!.n;
  });
}

async function expectNothingHeld() {
  await settled(t.db.pool);
  expect(listenerState(t.db.pool)).toEqual({ connected: false, channels: [], subscribers: 0 });
  expect(t.db.pool.totalCount - t.db.pool.idleCount).toBe(0);
  // The connection is closed by now; its server backend ends once PostgreSQL has read the goodbye.
  await waitFor('the LISTEN backend to end', async () => (await listeningBackends()) === 0);
}

/**
 * The test database's pool, counting the stream's page reads: the keyset query, on a pooled client inside a system
 * transaction (lib/db/context asSystemPg). The transaction's own statements and the LISTEN connection are not reads.
 */
function countingPool(reads: string[]): pg.Pool {
  const counting = <T extends object>(target: T, wrap: (key: string | symbol, value: unknown) => unknown): T =>
    new Proxy(target, {
      get(inner, key) {
        const value = Reflect.get(inner, key, inner) as unknown;
        const wrapped = wrap(key, value);
        if (wrapped !== undefined) return wrapped;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(inner) : value;
      },
    });
  const query =
    (client: pg.ClientBase) =>
    (...args: unknown[]) => {
      if (String(args[0]).includes('FROM deployment_logs')) reads.push(String(args[0]));
      return (client.query as (...a: unknown[]) => unknown).apply(client, args);
    };
  return counting(t.db.pool, (key) => {
    if (key === 'query') return query(t.db.pool as unknown as pg.ClientBase);
    if (key !== 'connect') return undefined;
    return async () => {
      const client = await t.db.pool.connect();
      return counting(client, (clientKey) => (clientKey === 'query' ? query(client) : undefined));
    };
  });
}

describe('streamDeploymentLogs', () => {
  it('replays a finished deployment from the start in keyset pages, then ends', async () => {
    await writeLines(1234);
    await setStatus('success');
    const events = await collect();
    expect(events[0]).toEqual({ type: 'status', status: 'success' });
    expect(messages(events)).toEqual(range(1234));
    expect(events.at(-1)).toEqual({ type: 'end', status: 'success' });
    expect(events).toHaveLength(1236);
    const ids = events.flatMap((event) => (event.type === 'log' ? [BigInt(event.id)] : []));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    await expectNothingHeld();
  });

  it('resumes after a given id, and treats a malformed id as the start', async () => {
    await writeLines(900);
    await setStatus('failed');
    const all = await collect();
    const after = all.filter((event) => event.type === 'log')[599]!;
    expect(after).toMatchObject({ message: 'line 599' });
    expect(messages(await collect({ afterId: (after as { id: string }).id }))).toEqual(range(300, 'line', 600));
    expect(messages(await collect({ afterId: '1; DROP TABLE x' }))).toHaveLength(900);
  });

  it('follows lines written while it streams, in order, with no gap or repeat, then status changes and the end', async () => {
    await writeLines(700, 'early'); // a replay longer than one page, with writing going on during it
    const seen: DeploymentLogEvent[] = [];
    const viewing = collect({ into: seen });
    const sawStatus = (status: string) => seen.some((event) => event.type === 'status' && event.status === status);
    // Each status is held until the viewer has shown it: a slow viewer may otherwise read past a short-lived one.
    await waitFor('the viewer to read the first page', async () => sawStatus('building'));
    const sink = createLogSink(t.db.pool, deploymentId, { flushMs: 20 });
    for (let i = 0; i < 3000; i += 1) {
      sink.write('info', `live ${i}`);
      if (i % 250 === 0) await sleep(15);
      if (i === 1500) await setStatus('deploying');
    }
    await sink.close();
    await waitFor('the viewer to see deploying', async () => sawStatus('deploying'));
    await setStatus('success');
    const events = await viewing;
    expect(messages(events)).toEqual([...range(700, 'early'), ...range(3000, 'live')]);
    expect(events.filter((event) => event.type !== 'log')).toEqual([
      { type: 'status', status: 'building' },
      { type: 'status', status: 'deploying' },
      { type: 'status', status: 'success' },
      { type: 'end', status: 'success' },
    ]);
    await expectNothingHeld();
  });

  it('sees a writer on another pool (another process) live', async () => {
    const other = new pg.Pool({ connectionString: t.url, max: 2 });
    try {
      const seen: DeploymentLogEvent[] = [];
      const viewing = collect({ into: seen });
      // Its first read is done (the status came), so every line below reaches it live.
      await waitFor('the viewer to start', async () => seen.length > 0);
      const sink = createLogSink(other, deploymentId, { flushMs: 10 });
      for (let i = 0; i < 50; i += 1) {
        sink.write('info', `remote ${i}`);
        await sleep(2);
      }
      await sink.close();
      await setStatus('rolled_back');
      const events = await viewing;
      expect(messages(events)).toEqual(range(50, 'remote'));
      expect(events.at(-1)).toEqual({ type: 'end', status: 'rolled_back' });
    } finally {
      await other.end();
    }
  });

  it('shares one LISTEN connection among viewers and releases it when the last one aborts', async () => {
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const seen = controllers.map((): DeploymentLogEvent[] => []);
    const viewing = controllers.map((controller, i) => collect({ signal: controller.signal, into: seen[i] }));
    await writeLines(10);
    await waitFor('every viewer to have the lines', async () => seen.every((events) => messages(events).length === 10));
    await settled(t.db.pool);
    expect(listenerState(t.db.pool)).toMatchObject({ connected: true, subscribers: 10 });
    expect(await listeningBackends()).toBe(1);
    // Aborting while the viewers wait for lines (not at a yield) still ends them.
    controllers.forEach((controller) => controller.abort());
    for (const events of await Promise.all(viewing)) expect(messages(events)).toEqual(range(10));
    await expectNothingHeld();
  });

  it('releases everything when the consumer stops iterating', async () => {
    await writeLines(20);
    const events = await collect({ until: (seen) => seen.length === 5 });
    expect(events).toHaveLength(5);
    await expectNothingHeld();
  });

  it('catches up after the listening connection is killed, without losing lines written meanwhile', async () => {
    configureNotify({ retryMs: 300 });
    try {
      // Nothing is written after the outage: the lines written during it must come from the catch-up read alone.
      const seen: DeploymentLogEvent[] = [];
      const viewing = collect({ into: seen, until: (events) => messages(events).includes('during 4') });
      await writeLines(5, 'before');
      await waitFor('the viewer to have the lines', async () => messages(seen).includes('before 4'));
      await waitFor('the listening connection', async () => (await listeningBackends()) === 1);
      const killed = await withSuperuser(t.adminUrl, (client) =>
        client.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
        ),
      );
      expect(killed.rowCount).toBe(1);
      await writeLines(5, 'during');
      expect(messages(await viewing)).toEqual([...range(5, 'before'), ...range(5, 'during')]);
    } finally {
      configureNotify({ retryMs: 50 });
    }
    await expectNothingHeld();
  });

  it('stops when the deployment is deleted with its application', async () => {
    const seen: DeploymentLogEvent[] = [];
    const viewing = collect({ into: seen });
    await writeLines(3);
    await waitFor('the viewer to have the lines', async () => messages(seen).length === 3);
    await t.systemPool.query('DELETE FROM deployments WHERE id = $1', [deploymentId]);
    expect(messages(await viewing)).toEqual(range(3));
    await expectNothingHeld();
  });

  it('lets viewers at the same position share one read per flush', async () => {
    const reads: string[] = [];
    const pool = countingPool(reads);
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const seen = controllers.map((): DeploymentLogEvent[] => []);
    const viewing = controllers.map((controller, i) =>
      collect({ pool, signal: controller.signal, into: seen[i], until: (events) => messages(events).length === 10 }),
    );
    // Each has made its first read (the status came) and waits for a notification.
    await waitFor('every viewer to start', async () => seen.every((events) => events.length > 0));
    const before = reads.length;
    await writeLines(10);
    const all = await Promise.all(viewing);
    for (const events of all) expect(messages(events)).toEqual(range(10));
    expect(reads.length - before).toBeLessThanOrEqual(2);
  });

  it('is not woken by another deployment, nor by lines it already sent', async () => {
    const other = (await insertDeployment(t.db.pool, appId, { status: 'building' })).id;
    const reads: string[] = [];
    const pool = countingPool(reads);
    const seen: DeploymentLogEvent[] = [];
    const viewing = collect({ pool, into: seen });
    await waitFor('the viewer to start', async () => seen.length > 0);
    const before = reads.length;
    expect(before).toBe(1);
    // A second subscriber on the same connection hears each notification in the same tick as the viewer: once it
    // has heard the last one, a read the viewer was wrongly woken for would already have been started.
    const heard: string[] = [];
    const unsubscribe = await subscribe(pool, LOGS_CHANNEL, { onNotify: (payload) => heard.push(payload) });
    try {
      for (let i = 0; i < 5; i += 1)
        await t.db.pool.query(`SELECT pg_notify($1, $2)`, [LOGS_CHANNEL, `${other}:${1000 + i}`]);
      await t.db.pool.query(`SELECT pg_notify($1, $2)`, [LOGS_CHANNEL, `${deploymentId}:0`]);
      await waitFor('the notifications to arrive', async () => heard.includes(`${deploymentId}:0`));
    } finally {
      unsubscribe();
    }
    expect(reads.length).toBe(before);
    await setStatus('success');
    await viewing;
    expect(reads.length).toBe(before + 1);
  });
});
