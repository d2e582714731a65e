// The runtime log stream (GET /api/applications/[appId]/logs) against real Swarm services that write faster than a
// person reads: a burst of 500 lines in one go reaches the viewer whole and in order (with millisecond ids the viewer
// kept 2 of them), a reconnect from any of its lines resumes exactly after it, and a flood is cut to the live limit
// with a `skipped` event that counts exactly the lines left out.
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectDocker, deployService, serviceLogs } from '@/lib/swarm';
import { labelFilters } from '@/lib/swarm/names';
import { BASE_IMAGE, cleanupApps, oneReplica, testProjectId } from '@/lib/swarm/test-support';
import type { TestDatabase } from '@/lib/testing/database';
import { insertApplication, newProject, newUser, setUpTestDatabase, uniqueName } from '@/lib/testing/fixtures';

import type { LiveLogLimit } from './live-log-limit';
import { micros } from './runtime-log-ids';
import { runtimeLogsResponse } from './runtime-log-response';
import { readEvents, type Event } from './testing/events';

const docker: Docker = connectDocker();
const testDb = setUpTestDatabase();
type App = { id: string; projectId: string; name: string };
const apps: App[] = [];
let ownerId = '';
let projectId = '';

/** An application of the test project running `script` in busybox's sh, deployed and running. */
async function serviceRunning(t: TestDatabase, projectId: string, script: string): Promise<App> {
  const row = await insertApplication(t.db.pool, projectId, { name: uniqueName('burst') });
  const app = { id: row.id, projectId, name: row.name as string };
  apps.push(app);
  // The shell stays PID 1 and leaves on SIGTERM, so removing the service does not wait Docker's grace period.
  const command = [`trap 'exit 0' TERM; (${script}) & wait`];
  const result = await deployService(docker, oneReplica(app, BASE_IMAGE, { entrypoint: ['sh', '-c'], command }), {
    timeoutMs: 60_000,
    pollMs: 200,
    onLine: () => {},
  });
  expect(result.outcome).toBe('success');
  return app;
}

let burst: App;
beforeAll(async () => {
  const t = testDb();
  const owner = await newUser(t);
  ownerId = owner.id;
  projectId = (await newProject(t, owner, { id: testProjectId() })).id;
  burst = await serviceRunning(t, projectId, 'seq 1 500; sleep 3600');
}, 180_000);

afterAll(async () => {
  await cleanupApps(docker, apps);
}, 90_000);

type Line = { id: string; message: string; createdAt?: string };
const linesOf = (events: Event[]): Line[] =>
  events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data!) as Line);

function stream(app: App, query: string, options: { lastEventId?: string; limit?: LiveLogLimit } = {}) {
  return runtimeLogsResponse({
    ctx: { actor: { id: ownerId, role: 'developer' } },
    applicationId: app.id,
    query: new URLSearchParams(query),
    db: testDb().db.prisma,
    docker,
    ...options,
  });
}

const increasing = (ids: string[]) => ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1]!));
const SEQ_500 = Array.from({ length: 500 }, (_, i) => String(i + 1));

describe('a burst of 500 lines', () => {
  it('reaches a live viewer whole, in order, each line with an id greater than the one before', async () => {
    const response = await stream(burst, 'tail=5000');
    const events = await readEvents(response.body!, (so) => linesOf(so).length >= 500);
    const lines = linesOf(events);
    expect(lines.map((line) => line.message)).toEqual(SEQ_500);
    expect(increasing(lines.map((line) => line.id))).toBe(true);
    expect(events.some((e) => e.event === 'skipped')).toBe(false);
    // What the viewer showed when an id was the line's millisecond: a line only when its millisecond was newer.
    const times = await dockerTimes(burst);
    const shownWithMsIds = times.filter(
      (time, i) => i === 0 || Math.floor(time / 1000) > Math.floor(times[i - 1]! / 1000),
    );
    expect(shownWithMsIds.length).toBeLessThan(500);
  });

  it('resumes after any of its lines (Last-Event-ID): the lines after it, none before, none twice', async () => {
    const all = linesOf(await readEvents((await stream(burst, 'tail=5000&follow=false')).body!));
    expect(all.map((line) => line.message)).toEqual(SEQ_500);
    for (const index of [0, 1, 2, 99, 250, 497, 498, 499]) {
      const resumed = linesOf(
        await readEvents((await stream(burst, 'follow=false', { lastEventId: all[index]!.id })).body!),
      );
      expect(
        resumed.map((line) => line.id),
        `after line ${index + 1}`,
      ).toEqual(all.slice(index + 1).map((l) => l.id));
      expect(resumed.map((line) => line.message)).toEqual(SEQ_500.slice(index + 1));
    }
  });
});

/** Docker's own times of the service's lines, in microseconds. */
async function dockerTimes(app: App): Promise<number[]> {
  const times: number[] = [];
  for await (const line of serviceLogs(docker, app.id, { timestamps: true })) times.push(micros(line.time)!);
  return times;
}

describe('a flood', () => {
  it('is cut to the live limit, and each cut is one skipped event counting exactly the lines left out', async () => {
    // 500 numbered lines every 50 ms, about 10,000 a second, for as long as it runs.
    const flood = await serviceRunning(
      testDb(),
      projectId,
      'i=1; while :; do seq $i $((i+499)); i=$((i+500)); sleep 0.05; done',
    );
    const limit = { perSecond: 50, burst: 100 };
    const response = await stream(flood, 'tail=0', { limit });
    const events = await readEvents(response.body!, (so) => so.filter((e) => e.event === 'skipped').length >= 3);
    // The flood stops now (it shares the project network with the burst, which stays until afterAll).
    for (const service of await docker.listServices({ filters: { label: labelFilters(flood.id) } })) {
      await docker.getService(service.ID).remove();
    }

    const shown = events.filter((e) => e.event === 'log' || e.event === 'skipped');
    const firstNotice = shown.findIndex((e) => e.event === 'skipped');
    expect(firstNotice).toBe(limit.burst);
    let previous: number | null = null;
    let held = 0;
    let lastId = '0';
    for (const event of shown) {
      const data = JSON.parse(event.data!) as { id: string; message?: string; count?: number };
      expect(BigInt(event.id!)).toBeGreaterThan(BigInt(lastId));
      lastId = event.id!;
      if (event.event === 'skipped') {
        expect(data.id).toBe(event.id);
        held += data.count!;
        continue;
      }
      const number = Number(data.message);
      // Consecutive lines, or a gap of exactly the count the notices in between gave.
      if (previous !== null) expect(number - previous - 1, `before line ${number}`).toBe(held);
      previous = number;
      held = 0;
    }
    // Between notices, at most a second's worth of lines.
    const runs = shown
      .map((e) => e.event)
      .join(',')
      .split('skipped');
    for (const run of runs.slice(1, -1)) expect(run.split('log').length - 1).toBeLessThanOrEqual(limit.perSecond);
  });
});
