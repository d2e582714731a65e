// GET /api/applications/[appId]/logs against real PostgreSQL and a real Swarm service (busybox httpd, a host-mode
// port, one request log line per HTTP request): who may read it, follow, tail, since, resume by Last-Event-ID, a bad
// query, and a client that goes away (the Docker log connection is closed, not left reading).
import http from 'node:http';

import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { GET } from '@/app/api/applications/[appId]/logs/route';
import { APPLICATION_NOT_FOUND } from '@/lib/applications/access';
import { createApiToken } from '@/lib/auth/tokens';
import { database } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { connectDocker } from '@/lib/swarm';
import { DEFAULT_SOCKET } from '@/lib/swarm/client';
import { cleanupApps, deployHttpApp, fetchText } from '@/lib/swarm/test-support';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import {
  addMember,
  insertApplication,
  insertProject,
  insertTeam,
  insertUser,
  NO_SUCH_ID,
  uniqueName,
} from '@/lib/testing/fixtures';

import { runtimeLogsResponse } from './runtime-log-response';
import { readEvents, type Event } from './testing/events';
import { waitFor } from './testing/fixtures';

const docker = connectDocker();
let t: TestDatabase;
let app: { id: string; projectId: string; name: string };
let port = 0;
const tokens: Record<'owner' | 'member' | 'stranger', string> = { owner: '', member: '', stranger: '' };
let ownerId = '';
let strangerId = '';

beforeAll(async () => {
  t = await createTestDatabase();
  // The route opens the process database from the environment, as the panel does.
  process.env.DATABASE_URL = t.url;
  process.env.SLIPWAY_DB_POOL_SIZE = '4';
  const owner = await insertUser(t.db.pool, { role: 'developer' });
  // A viewer (the lowest platform role) who is a member of the project's team may read its logs.
  const member = await insertUser(t.db.pool, { role: 'viewer' });
  const stranger = await insertUser(t.db.pool, { role: 'developer' });
  const team = await insertTeam(t.db.pool);
  await addMember(t.db.pool, team.id, member.id, 'member');
  const project = await insertProject(t.db.pool, owner.id, { team_id: team.id });
  const row = await insertApplication(t.db.pool, project.id, { name: uniqueName('logs') });
  app = { id: row.id, projectId: project.id, name: row.name as string };
  ownerId = owner.id;
  strangerId = stranger.id;
  for (const [who, user] of [
    ['owner', owner],
    ['member', member],
    ['stranger', stranger],
  ] as const) {
    ({ token: tokens[who] } = await asSystem(t.db.prisma, (tx) =>
      createApiToken(tx, { actor: { id: user.id, role: 'viewer' } }, { name: 'logs', expiresInDays: 1 }),
    ));
  }

  const deployed = await deployHttpApp(docker, app, 'rt');
  expect(deployed.outcome).toBe('success');
  port = deployed.port;
}, 180_000);

afterAll(async () => {
  // Docker first: a database that fails to drop must not leave the service running.
  try {
    if (app) await cleanupApps(docker, [app]);
  } finally {
    await (await database().catch(() => null))?.close();
    await t?.drop();
  }
}, 90_000);

type Line = { id: string; level: string; message: string; createdAt?: string; segments?: unknown };

const lines = (events: Event[]): Line[] =>
  events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data!) as Line);
const messages = (events: Event[]) => lines(events).map((line) => line.message);
const isRequestLine = (message: string) => /response:200/.test(message);

const get = (appId: string, headers: Record<string, string> = {}, query = '') =>
  GET(new Request(`http://localhost/api/applications/${appId}/logs${query}`, { headers }), {
    params: Promise.resolve({ appId }),
  });
const as = (who: keyof typeof tokens, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${tokens[who]}`,
  ...extra,
});

/** Every line the service has written so far (no follow: the body ends by itself). */
async function everything(): Promise<Event[]> {
  return readEvents((await get(app.id, as('owner'), '?tail=5000&follow=false')).body!);
}

describe('who may read the runtime log', () => {
  it('refuses a caller without credentials or with a bad token: 401 with a Bearer challenge, nothing streamed', async () => {
    for (const headers of [{}, { authorization: `Bearer ${tokens.owner}x` }] as Record<string, string>[]) {
      const response = await get(app.id, headers, '?follow=false');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).not.toContain('started rt');
    }
  });

  it('answers a token without access exactly as a missing application: 404, no data, the refusal audited', async () => {
    const answers = await Promise.all(
      [app.id, NO_SUCH_ID, 'not-a-uuid'].map(async (target) => {
        const response = await get(target, as('stranger'), '?follow=false');
        return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
      }),
    );
    expect(answers).toEqual(
      Array(3).fill({
        status: 404,
        type: 'application/json',
        body: { error: { code: 'not_found', message: APPLICATION_NOT_FOUND } },
      }),
    );
    const { rows } = await t.db.pool.query(
      `SELECT resource_id, details->>'action' AS action FROM audit_logs WHERE user_id = $1 AND action = 'authz.denied' AND resource_type = 'application'`,
      [strangerId],
    );
    expect(rows).toHaveLength(3);
    expect(rows).toEqual(
      expect.arrayContaining(
        [app.id, NO_SUCH_ID, null].map((resource_id) => ({ resource_id, action: 'application.logs' })),
      ),
    );
  });

  it('streams to the owner and to a team member, with the event-stream headers and a retry delay first', async () => {
    for (const who of ['owner', 'member'] as const) {
      const response = await get(app.id, as(who), '?follow=false');
      expect(response.status).toBe(200);
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      const events = await readEvents(response.body!);
      expect(events[0]).toEqual({ retry: '3000' });
      expect(messages(events)).toEqual(expect.arrayContaining(['started rt', 'warming rt']));
      expect(events.at(-1)).toEqual({ event: 'end', data: '{"status":"ended"}' });
    }
  });
});

describe('what the runtime log streams', () => {
  it('follows: the lines so far, then a line written after the stream opened; one line shape, ids in order', async () => {
    const history = messages(await everything());
    const response = await get(app.id, as('owner'), '?tail=5000');
    let requested = false;
    // Nothing else writes to the service's log: once the history is replayed, the next line is the request's.
    const events = await readEvents(response.body!, (so) => {
      const seen = messages(so);
      if (!requested && seen.length === history.length) {
        requested = true;
        void fetchText(port);
      }
      return seen.length > history.length;
    });
    const shown = lines(events);
    expect(shown.slice(0, -1).map((line) => line.message)).toEqual(history);
    expect(shown.find((line) => line.message === 'started rt')).toMatchObject({ level: 'info' });
    expect(shown.find((line) => line.message === 'warming rt')).toMatchObject({ level: 'warn' });
    // httpd -v logs each request on stderr: this one was made after following began.
    expect(shown.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/response:200/) });
    for (const line of shown) {
      expect(Object.keys(line).sort()).toEqual(['createdAt', 'id', 'level', 'message']);
      expect(new Date(line.createdAt!).toISOString()).toBe(line.createdAt);
    }
    const ids = events.filter((e) => e.event === 'log').map((e) => BigInt(e.id!));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(shown.map((line) => line.id)).toEqual(ids.map(String));
  });

  it('tail: only the last lines, and without follow the stream ends by itself', async () => {
    expect(await fetchText(port)).toBe('rt');
    const all = messages(await everything());
    expect(all.length).toBeGreaterThan(2);
    const events = await readEvents((await get(app.id, as('owner'), '?tail=2&follow=false')).body!);
    expect(messages(events)).toEqual(all.slice(-2));
    expect(events.at(-1)?.event).toBe('end');
  });

  it('since: only lines from that second on', async () => {
    const started = lines(await everything()).find((line) => line.message === 'started rt')!;
    const after = Math.floor(Date.parse(started.createdAt!) / 1000) + 1;
    // A request line written once the clock is past that second.
    await waitFor('the clock to pass the start line’s second', async () => Date.now() >= after * 1000);
    expect(await fetchText(port)).toBe('rt');
    const since = messages(await readEvents((await get(app.id, as('owner'), `?since=${after}&follow=false`)).body!));
    expect(since.length).toBeGreaterThan(0);
    expect(since.every(isRequestLine)).toBe(true);
    expect(since).not.toContain('started rt');
    const future = await readEvents((await get(app.id, as('owner'), '?since=4102444800&follow=false')).body!);
    expect(messages(future)).toEqual([]);
  });

  it('resumes after Last-Event-ID: the lines after it, none before, none twice', async () => {
    const all = lines(await everything());
    const resumed = lines(
      await readEvents((await get(app.id, as('owner', { 'last-event-id': all[0]!.id }), '?follow=false')).body!),
    );
    expect(resumed.map((line) => line.message)).toEqual(all.slice(1).map((line) => line.message));
    expect(resumed.map((line) => line.id)).toEqual(all.slice(1).map((line) => line.id));
  });

  it('says why when the application has no service yet, in a failure event the viewer shows (and stops on)', async () => {
    const undeployed = await insertApplication(t.db.pool, app.projectId, { name: uniqueName('none') });
    const events = await readEvents((await get(undeployed.id, as('owner'))).body!);
    expect(events.slice(1)).toEqual([
      {
        event: 'failure',
        data: JSON.stringify({ message: 'This application has no running service: deploy it first.' }),
      },
    ]);
  });

  it('refuses a query it cannot honour with 400, naming the parameter', async () => {
    for (const [query, field] of [
      ['?tail=lots', 'tail'],
      ['?tail=-1', 'tail'],
      ['?since=yesterday', 'since'],
      ['?since=99999999999', 'since'],
      ['?follow=maybe', 'follow'],
    ]) {
      const response = await get(app.id, as('owner'), query);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid', field } });
    }
  });
});

describe('a client that goes away', () => {
  // A Docker client of its own whose connection pool the test can see: the followed log is one open socket.
  function watchedDocker() {
    const agent = new http.Agent({ keepAlive: false });
    const open = () => Object.values(agent.sockets).flat().length;
    return { docker: new Docker({ socketPath: DEFAULT_SOCKET, agent } as Docker.DockerOptions), open };
  }
  const follow = async (watched: ReturnType<typeof watchedDocker>, signal?: AbortSignal) =>
    runtimeLogsResponse({
      ctx: { actor: { id: ownerId, role: 'developer' } },
      applicationId: app.id,
      query: new URLSearchParams('tail=5'),
      signal,
      db: t.db.prisma,
      docker: watched.docker,
    });

  it('closes the Docker log connection when the reader cancels the body', async () => {
    const watched = watchedDocker();
    const events = await readEvents((await follow(watched)).body!, (so) => {
      if (lines(so).length === 0) return false;
      // Following: the log connection is still open after the lines at hand were sent.
      expect(watched.open()).toBeGreaterThan(0);
      return true;
    });
    expect(lines(events).length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(watched.open()).toBe(0), { timeout: 5000, interval: 25 });
  });

  it('closes the Docker log connection when the request is aborted', async () => {
    const watched = watchedDocker();
    const controller = new AbortController();
    let seen: Event[] = [];
    const reading = readEvents((await follow(watched, controller.signal)).body!, (so) => ((seen = so), false));
    await waitFor('a line to arrive', async () => lines(seen).length > 0);
    expect(watched.open()).toBeGreaterThan(0);
    controller.abort();
    // The body ends (it does not wait for the next line) and the connection is let go.
    expect(lines(await reading).length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(watched.open()).toBe(0), { timeout: 5000, interval: 25 });
  });
});
