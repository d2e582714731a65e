import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { newUser, type TestUser as User } from '@/lib/testing/fixtures';

import { enqueueDeployment, requestCancellation, type DeploymentQueue } from './queue';
import {
  appStatus,
  deployment,
  newApplication,
  startTestQueue,
  system,
  waitFor,
  waitForStatus,
} from './testing/fixtures';
import { startWorker, type DeploymentWorker, type RunDeployment } from './worker';

let test: TestDatabase;
let queue: DeploymentQueue;
let owner: User;
const workers: DeploymentWorker[] = [];

// What each run did, in the order it happened (real time stamps, to prove runs of one application never overlap).
type Event = { id: string; at: number; what: 'start' | 'end' | 'signal' };
const events: Event[] = [];
const note = (id: string, what: Event['what']) => events.push({ id, what, at: performance.now() });

// Gates a 'gated' run waits at, opened by the test: each stage lasts exactly until the test has seen it.
type Stage = 'build' | 'deploy';
const gates = new Map<string, { open: () => void; opened: Promise<void> }>();
function gate(id: string, stage: Stage) {
  const key = `${id}:${stage}`;
  let entry = gates.get(key);
  if (!entry) {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    entry = { open, opened };
    gates.set(key, entry);
  }
  return entry;
}
const release = (id: string, stage: Stage) => gate(id, stage).open();

// The pipeline stand-in: small real functions chosen by metadata.behaviour.
const run: RunDeployment = async (deployment, { signal, markDeploying }) => {
  note(deployment.id, 'start');
  signal.addEventListener('abort', () => note(deployment.id, 'signal'), { once: true });
  try {
    switch (deployment.metadata.behaviour) {
      case 'throw':
        throw new Error('docker build exited with code 1');
      case 'wait-signal':
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
        );
        return { status: 'success' };
      case 'ignore-signal':
        await gate(deployment.id, 'build').opened;
        await markDeploying({ image: `slipway/app:${deployment.id}` });
        return { status: 'success' };
      case 'gated':
        await gate(deployment.id, 'build').opened;
        await markDeploying({ image: `slipway/app:${deployment.id}` });
        await gate(deployment.id, 'deploy').opened;
        return { status: 'success', metadata: { image_size_mb: 1.2 } };
      case 'rolled_back':
        await markDeploying({ image: 'slipway/app:bad' });
        return { status: 'rolled_back', reason: 'new tasks failed their health check' };
      default:
        await markDeploying({ image: `slipway/app:${deployment.id}` });
        return { status: 'success', metadata: { image_size_mb: 1.2 } };
    }
  } finally {
    note(deployment.id, 'end');
  }
};

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  owner = await newUser(test);
  // Two workers (as the panel and `npm run worker` would be), two slots each: only the lock keeps runs apart.
  for (let i = 0; i < 2; i += 1) {
    workers.push(
      await startWorker({
        db: test.db,
        queue,
        run,
        concurrency: 2,
        pollIntervalMs: 100,
        cancelPollMs: 300,
        sweepIntervalMs: 60_000,
        log: () => {},
      }),
    );
  }
});
afterAll(async () => {
  for (const worker of workers) await worker.stop({ graceMs: 1000 });
  await queue?.stop();
  await test?.drop();
});

const enqueue = (applicationId: string, behaviour?: string) =>
  system(test, (tx) =>
    enqueueDeployment(tx, queue, {
      applicationId,
      triggeredBy: owner.id,
      trigger: 'deploy',
      metadata: behaviour ? { behaviour } : {},
    }),
  );
// pg-boss's state of the job for a deployment: 'completed' once a worker has handled it (run, or declined as busy).
const jobState = async (deploymentId: string) => {
  const { rows } = await test.db.pool.query<{ state: string }>(
    `SELECT state FROM ${queue.schema}.job WHERE name = $1 AND data->>'deploymentId' = $2`,
    [queue.name, deploymentId],
  );
  return rows.map((row) => row.state);
};
const timesOf = (id: string) => ({
  start: events.find((e) => e.id === id && e.what === 'start')!.at,
  end: events.find((e) => e.id === id && e.what === 'end')!.at,
});

describe('the worker', () => {
  it('runs a deployment through building and deploying to success; the application follows', async () => {
    const appId = await newApplication(test, owner, { status: 'stopped' });
    const { deploymentId } = await enqueue(appId, 'gated');
    await waitForStatus(test, deploymentId, 'building');
    const heldFrom = performance.now();
    expect(await appStatus(test, appId)).toBe('deploying');
    release(deploymentId, 'build');
    await waitForStatus(test, deploymentId, 'deploying');
    expect(await appStatus(test, appId)).toBe('deploying');
    const heldSeconds = (performance.now() - heldFrom) / 1000;
    release(deploymentId, 'deploy');
    const done = await waitForStatus(test, deploymentId, 'success');
    expect(done.metadata).toMatchObject({
      image: `slipway/app:${deploymentId}`,
      image_size_mb: 1.2,
      worker: expect.any(String),
    });
    // The run lasted at least as long as the test held it (the stored figure is rounded to 0.1 s).
    expect(done.metadata.duration_seconds).toBeGreaterThanOrEqual(Math.floor(heldSeconds * 10) / 10);
    expect(await appStatus(test, appId)).toBe('running');
  });

  it('runs two deployments of one application one after the other, never overlapping', async () => {
    const appId = await newApplication(test, owner);
    const first = await enqueue(appId, 'gated');
    await waitForStatus(test, first.deploymentId, 'building');
    const second = await enqueue(appId); // the first is running: not superseded, it waits
    expect(second.superseded).toEqual([]);
    // A worker has taken the second's job and let it go (the application is busy): it is still pending.
    await waitFor('the second job to be handled', async () =>
      (await jobState(second.deploymentId)).includes('completed'),
    );
    expect((await deployment(test, second.deploymentId)).status).toBe('pending');
    release(first.deploymentId, 'build');
    release(first.deploymentId, 'deploy');
    await waitForStatus(test, first.deploymentId, 'success');
    await waitForStatus(test, second.deploymentId, 'success');
    const a = timesOf(first.deploymentId);
    const b = timesOf(second.deploymentId);
    expect(b.start).toBeGreaterThanOrEqual(a.end);
  });

  it('runs deployments of different applications at the same time', async () => {
    const [x, y] = [await newApplication(test, owner), await newApplication(test, owner)];
    const [dx, dy] = [await enqueue(x, 'gated'), await enqueue(y, 'gated')];
    // Both building at once: neither is released until the other has started.
    await Promise.all([
      waitForStatus(test, dx.deploymentId, 'building'),
      waitForStatus(test, dy.deploymentId, 'building'),
    ]);
    for (const id of [dx.deploymentId, dy.deploymentId]) {
      release(id, 'build');
      release(id, 'deploy');
    }
    await Promise.all([
      waitForStatus(test, dx.deploymentId, 'success'),
      waitForStatus(test, dy.deploymentId, 'success'),
    ]);
    const [a, b] = [timesOf(dx.deploymentId), timesOf(dy.deploymentId)];
    expect(Math.max(a.start, b.start)).toBeLessThan(Math.min(a.end, b.end));
  });

  it('a newer trigger supersedes the one waiting behind a running deployment; the newest runs', async () => {
    const appId = await newApplication(test, owner);
    const running = await enqueue(appId, 'gated');
    await waitForStatus(test, running.deploymentId, 'building');
    const waiting = await enqueue(appId);
    const newest = await enqueue(appId);
    expect(newest.superseded).toEqual([waiting.deploymentId]);
    release(running.deploymentId, 'build');
    release(running.deploymentId, 'deploy');
    await waitForStatus(test, newest.deploymentId, 'success');
    expect((await deployment(test, running.deploymentId)).status).toBe('success');
    const superseded = await deployment(test, waiting.deploymentId);
    expect(superseded).toMatchObject({
      status: 'superseded',
      metadata: expect.objectContaining({ reason: `superseded by ${newest.deploymentId}` }),
    });
    expect(events.some((e) => e.id === waiting.deploymentId)).toBe(false);
  });

  it('cancels a running build: the run sees its signal, the row fails "cancelled", a running app keeps running', async () => {
    const appId = await newApplication(test, owner, { status: 'running' });
    const { deploymentId } = await enqueue(appId, 'wait-signal');
    await waitFor('the run to start', async () => events.some((e) => e.id === deploymentId && e.what === 'start'));
    const result = await system(test, (tx) => requestCancellation(tx, queue, { deploymentId, actorId: owner.id }));
    expect(result.outcome).toBe('cancelling');
    const row = await waitForStatus(test, deploymentId, 'failed', 5000);
    expect(row.metadata.reason).toBe('cancelled');
    expect(events.some((e) => e.id === deploymentId && e.what === 'signal')).toBe(true);
    expect(await appStatus(test, appId)).toBe('running');
  });

  it('a run that ignores its signal still cannot roll out after a cancel', async () => {
    const appId = await newApplication(test, owner, { status: 'running' });
    const { deploymentId } = await enqueue(appId, 'ignore-signal');
    await waitFor('the run to start', async () => events.some((e) => e.id === deploymentId && e.what === 'start'));
    await system(test, (tx) => requestCancellation(tx, queue, { deploymentId, actorId: owner.id }));
    // The run goes on to roll out only once the cancel is committed, whether or not its signal fired yet.
    release(deploymentId, 'build');
    const row = await waitForStatus(test, deploymentId, 'failed', 5000);
    expect(row.metadata.reason).toBe('cancelled');
    expect(row.metadata.image).toBeUndefined();
  });

  it('records a run that throws as failed with its message; a first deployment that fails leaves the app failed', async () => {
    const appId = await newApplication(test, owner, { status: 'stopped' });
    const { deploymentId } = await enqueue(appId, 'throw');
    const row = await waitForStatus(test, deploymentId, 'failed');
    expect(row.metadata.reason).toBe('docker build exited with code 1');
    expect(await appStatus(test, appId)).toBe('failed');
  });

  it('records a Swarm rollback as rolled_back; the application keeps running', async () => {
    const appId = await newApplication(test, owner, { status: 'running' });
    const { deploymentId } = await enqueue(appId, 'rolled_back');
    const row = await waitForStatus(test, deploymentId, 'rolled_back');
    expect(row.metadata.reason).toBe('new tasks failed their health check');
    expect(await appStatus(test, appId)).toBe('running');
  });
});
