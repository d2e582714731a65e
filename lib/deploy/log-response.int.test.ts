// GET /api/deployments/[id]/logs against a real PostgreSQL: the route itself with API tokens (no cookie needs a
// Next.js request scope), and deploymentLogsResponse, its body, for resuming, disconnects and heartbeats.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { GET } from '@/app/api/deployments/[id]/logs/route';
import { createApiToken } from '@/lib/auth/tokens';
import { database } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertAppTree, insertDeployment, insertUser, NO_SUCH_ID } from '@/lib/testing/fixtures';

import { DEPLOYMENT_NOT_FOUND, deploymentLogsResponse } from './log-response';
import { createLogSink } from './log-sink';
import { listenerState, settled } from './notify';
import { readEvents, type Event } from './testing/events';
import { waitFor } from './testing/fixtures';

let t: TestDatabase;
let owner: { id: string; role: 'developer' };
let stranger: { id: string; role: 'developer' };
let appId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  // The route opens the process database from the environment, as the panel does.
  process.env.DATABASE_URL = t.url;
  process.env.SLIPWAY_DB_POOL_SIZE = '4';
  const tree = await insertAppTree(t.db.pool);
  appId = tree.appId;
  owner = { id: tree.userId, role: 'developer' };
  stranger = { id: (await insertUser(t.db.pool)).id, role: 'developer' };
});

afterAll(async () => {
  await (await database().catch(() => null))?.close();
  await t?.drop();
});

const logMessages = (events: Event[]) =>
  events.filter((e) => e.event === 'log').map((e) => (JSON.parse(e.data!) as { message: string }).message);
const range = (count: number, prefix: string, from = 0) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);

async function deploymentWith(lines: number, status: string, prefix = 'line') {
  const id = (await insertDeployment(t.db.pool, appId, { status: 'building' })).id;
  const sink = createLogSink(t.db.pool, id);
  for (let i = 0; i < lines; i += 1) sink.write('info', `${prefix} ${i}`);
  await sink.close();
  if (status !== 'building') await t.systemPool.query('UPDATE deployments SET status = $2 WHERE id = $1', [id, status]);
  return id;
}

async function tokenFor(userId: string) {
  const { token } = await asSystem(t.db.prisma, (tx) =>
    createApiToken(tx, { actor: { id: userId, role: 'viewer' } }, { name: 'logs', expiresInDays: 1 }),
  );
  return token;
}

const get = (id: string, headers: Record<string, string> = {}, query = '') =>
  GET(new Request(`http://localhost/api/deployments/${id}/logs${query}`, { headers }), {
    params: Promise.resolve({ id }),
  });

// A cancelled body stops its stream on the next turn of the pull loop: wait for it (briefly) rather than race it.
async function expectReleased() {
  await vi.waitFor(
    async () => {
      await settled(t.db.pool);
      expect(listenerState(t.db.pool).subscribers).toBe(0);
      expect(listenerState(t.db.pool).connected).toBe(false);
    },
    { timeout: 3000, interval: 25 },
  );
}

describe('GET /api/deployments/[id]/logs', () => {
  it('answers 401 and no stream to a caller without credentials or with a bad token', async () => {
    const id = await deploymentWith(3, 'success');
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer slw_not-a-real-token' },
      { authorization: 'Basic abc' },
    ];
    for (const headers of attempts) {
      const response = await get(id, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.text()).not.toContain('line 0');
    }
  });

  it('streams a finished deployment to its owner, with the headers that keep proxies from buffering', async () => {
    const id = await deploymentWith(600, 'success');
    const response = await get(id, { authorization: `Bearer ${await tokenFor(owner.id)}` });
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const events = await readEvents(response.body!);
    expect(logMessages(events)).toEqual(range(600, 'line'));
    const log = events.find((e) => e.event === 'log')!;
    expect(JSON.parse(log.data!)).toMatchObject({ id: log.id, level: 'info', message: 'line 0' });
    expect(events.filter((e) => e.event && e.event !== 'log')).toEqual([
      { event: 'status', data: '{"status":"success"}' },
      { event: 'end', data: '{"status":"success"}' },
    ]);
    await expectReleased();
  });

  it('resumes after ?after= and after Last-Event-ID, the header winning', async () => {
    const id = await deploymentWith(50, 'failed');
    const token = await tokenFor(owner.id);
    const all = await readEvents((await get(id, { authorization: `Bearer ${token}` })).body!);
    const tenth = all.filter((e) => e.event === 'log')[9]!.id!;
    const twentieth = all.filter((e) => e.event === 'log')[19]!.id!;
    const byQuery = await readEvents((await get(id, { authorization: `Bearer ${token}` }, `?after=${tenth}`)).body!);
    expect(logMessages(byQuery)).toEqual(range(40, 'line', 10));
    const byHeader = await readEvents(
      (await get(id, { authorization: `Bearer ${token}`, 'last-event-id': twentieth }, `?after=${tenth}`)).body!,
    );
    expect(logMessages(byHeader)).toEqual(range(30, 'line', 20));
  });

  it('answers another tenant exactly as it answers a missing deployment: 404, no data, refusal audited', async () => {
    const id = await deploymentWith(5, 'success', 'secret');
    const token = await tokenFor(stranger.id);
    const answers = await Promise.all(
      [id, NO_SUCH_ID, 'not-a-uuid'].map(async (target) => {
        const response = await get(target, { authorization: `Bearer ${token}` });
        return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
      }),
    );
    const notFound = JSON.stringify({ error: { code: 'not_found', message: DEPLOYMENT_NOT_FOUND } });
    expect(answers).toEqual(Array(3).fill({ status: 404, type: 'application/json', body: notFound }));
    const { rows } = await t.db.pool.query(
      `SELECT resource_type, resource_id FROM audit_logs WHERE user_id = $1 AND action = 'authz.denied' ORDER BY resource_type`,
      [stranger.id],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        // Row-level security hides another tenant's deployment itself: refused as the deployment, like a missing one.
        { resource_type: 'deployment', resource_id: id },
        { resource_type: 'deployment', resource_id: NO_SUCH_ID },
        { resource_type: 'deployment', resource_id: null },
      ]),
    );
    expect(rows).toHaveLength(3);
  });
});

describe('deploymentLogsResponse', () => {
  it('reconnecting with the last event id misses and repeats nothing while lines keep coming', async () => {
    const id = await deploymentWith(0, 'building');
    const sink = createLogSink(t.db.pool, id, { flushMs: 10 });
    const writing = (async () => {
      for (let i = 0; i < 400; i += 1) {
        sink.write('info', `live ${i}`);
        if (i % 40 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await sink.close();
      await t.systemPool.query(`UPDATE deployments SET status = 'success' WHERE id = $1`, [id]);
    })();
    const received: string[] = [];
    let lastEventId: string | undefined;
    // The viewer drops the connection after every 60 lines and comes back with Last-Event-ID, as EventSource does.
    for (let round = 0; round < 50; round += 1) {
      const response = await deploymentLogsResponse({ user: owner, deploymentId: id, lastEventId, db: t.db });
      let seen = 0;
      const events = await readEvents(response.body!, (so) => so.at(-1)?.event === 'log' && ++seen === 60);
      received.push(...logMessages(events));
      lastEventId = events.filter((e) => e.id).at(-1)?.id ?? lastEventId;
      await expectReleased();
      if (events.at(-1)?.event === 'end') break;
    }
    await writing;
    expect(received).toEqual(range(400, 'live'));
  });

  it('stops the stream and its listener when the request is aborted', async () => {
    const id = await deploymentWith(2, 'building');
    const controller = new AbortController();
    const response = await deploymentLogsResponse({
      user: owner,
      deploymentId: id,
      signal: controller.signal,
      db: t.db,
    });
    let seen: Event[] = [];
    const reading = readEvents(response.body!, (so) => ((seen = so), false));
    // Aborted while live: both lines sent, the stream holding its two subscriptions (log lines and status) and
    // waiting for more.
    await waitFor('both lines to arrive', async () => logMessages(seen).length === 2);
    expect(listenerState(t.db.pool).subscribers).toBe(2);
    controller.abort();
    expect(logMessages(await reading)).toEqual(range(2, 'line'));
    await expectReleased();
  });

  it('sends a heartbeat comment while nothing happens, and a retry delay first', async () => {
    const id = await deploymentWith(0, 'pending');
    const response = await deploymentLogsResponse({ user: owner, deploymentId: id, db: t.db, heartbeatMs: 30 });
    const events = await readEvents(response.body!, (so) => so.filter((e) => e.comment === 'ping').length === 3);
    expect(events[0]).toEqual({ retry: '3000' });
    expect(events.filter((e) => e.comment === 'ping')).toHaveLength(3);
    await expectReleased();
  });
});
