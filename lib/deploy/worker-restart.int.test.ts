// A worker that dies (SIGKILL) or is stopped (SIGTERM) mid-run, as a real separate process running
// lib/deploy/testing/hanging-worker.ts: no deployment is left in building or deploying.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { newUser, type TestUser as User } from '@/lib/testing/fixtures';

import { enqueueDeployment, type DeploymentQueue } from './queue';
import {
  appStatus,
  deployment,
  newApplication,
  startTestQueue,
  system,
  waitFor,
  waitForStatus,
} from './testing/fixtures';
import { startWorker, type RunDeployment } from './worker';

const ROOT = path.resolve(__dirname, '../..');
let test: TestDatabase;
let queue: DeploymentQueue;
let owner: User;
const children: ChildProcess[] = [];

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  owner = await newUser(test);
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await queue?.stop();
  await test?.drop();
});

type Child = { process: ChildProcess; running: Promise<string>; exited: Promise<number | NodeJS.Signals> };

function spawnWorker(script = 'lib/deploy/testing/hanging-worker.ts'): Child {
  // node itself with tsx's loader: the tsx CLI would put a wrapper process between the signal and the worker.
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: test.url, SLIPWAY_MAINTENANCE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const running = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /RUNNING (\S+ \S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', () => reject(new Error(`the worker exited before running anything:\n${output}`)));
  });
  running.catch(() => {}); // awaited by the tests that expect a run; the others never ask
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0) console.log(output);
      resolve(code ?? signal!);
    }),
  );
  return { process: child, running, exited };
}

const enqueue = (applicationId: string, behaviour?: string) =>
  system(test, (tx) =>
    enqueueDeployment(tx, queue, { applicationId, triggeredBy: owner.id, trigger: 'deploy', metadata: { behaviour } }),
  );

const succeed: RunDeployment = async (_, { markDeploying }) => {
  await markDeploying({ image: 'slipway/app:ok' });
  return { status: 'success' };
};
const newWorker = () =>
  startWorker({ db: test.db, queue, run: succeed, pollIntervalMs: 100, sweepIntervalMs: 60_000, log: () => {} });

describe('a worker that goes away mid-run', () => {
  it.each(['building', 'deploying'])(
    'SIGKILL during %s: the next worker to start fails the deployment with a reason; the app is not left deploying',
    async (stage) => {
      const appId = await newApplication(test, owner, { status: 'running' });
      const { deploymentId } = await enqueue(appId, stage === 'deploying' ? 'hang-deploying' : undefined);
      const child = spawnWorker();
      expect(await child.running).toBe(`${deploymentId} ${stage}`);
      expect((await deployment(test, deploymentId)).status).toBe(stage);
      expect(await appStatus(test, appId)).toBe('deploying');

      child.process.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
      // Nothing else has looked yet: the row still says the dead worker is on it.
      expect((await deployment(test, deploymentId)).status).toBe(stage);

      const worker = await newWorker();
      try {
        expect(worker.startup.failed).toEqual([deploymentId]);
        const row = await deployment(test, deploymentId);
        expect(row.status).toBe('failed');
        expect(row.metadata).toMatchObject({ reason: `worker stopped during ${stage}`, orphaned: true });
        // A build that died never touched the service (old version serves); a rollout that died might have.
        expect(await appStatus(test, appId)).toBe(stage === 'building' ? 'running' : 'failed');
        // The application is usable again: the next deploy runs.
        const next = await enqueue(appId);
        await waitForStatus(test, next.deploymentId, 'success');
      } finally {
        await worker.stop();
      }
    },
    60_000,
  );

  it('a pending deployment whose job is gone is queued again at start-up and runs', async () => {
    const appId = await newApplication(test, owner);
    const { deploymentId, jobId } = await enqueue(appId);
    await queue.boss.deleteJob(queue.name, jobId);
    const worker = await newWorker();
    try {
      expect(worker.startup.requeued).toContain(deploymentId);
      await waitForStatus(test, deploymentId, 'success');
    } finally {
      await worker.stop();
    }
  });

  it('a live worker elsewhere keeps its deployment: the sweep leaves what another process still holds', async () => {
    const appId = await newApplication(test, owner);
    const { deploymentId } = await enqueue(appId);
    const child = spawnWorker();
    expect(await child.running).toBe(`${deploymentId} building`);
    const worker = await newWorker();
    try {
      expect(worker.startup.failed).not.toContain(deploymentId);
      expect((await worker.sweep()).failed).not.toContain(deploymentId);
      expect((await deployment(test, deploymentId)).status).toBe('building');

      // SIGTERM: the worker gives its run the grace period, aborts it, records why, and exits cleanly.
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      const row = await deployment(test, deploymentId);
      expect(row).toMatchObject({
        status: 'failed',
        metadata: expect.objectContaining({ reason: 'worker stopped during building' }),
      });
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('npm run worker (scripts/worker.ts) runs the real pipeline: a git application without a repository fails with that reason', async () => {
    const appId = await newApplication(test, owner, { status: 'running' });
    const { deploymentId } = await enqueue(appId);
    const child = spawnWorker('scripts/worker.ts');
    try {
      const row = await waitForStatus(test, deploymentId, 'failed', 30_000);
      expect(row.metadata.reason).toBe('This application has no repository to build from: set one on its Source tab.');
      expect(await appStatus(test, appId)).toBe('running');
    } finally {
      child.process.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
  }, 60_000);

  it('a surviving worker cleans up after a dead one without restarting (periodic sweep)', async () => {
    const appId = await newApplication(test, owner);
    const { deploymentId } = await enqueue(appId);
    const worker = await startWorker({
      db: test.db,
      queue,
      run: succeed,
      pollIntervalMs: 100,
      sweepIntervalMs: 300,
      log: () => {},
    });
    try {
      await waitForStatus(test, deploymentId, 'success');
      const stuck = await enqueue(appId);
      // As if a worker claimed it and died before anything else: building, nobody holding the application.
      await worker.stop();
      await system(
        test,
        (tx) => tx.$executeRaw`UPDATE deployments SET status = 'building' WHERE id = ${stuck.deploymentId}::uuid`,
      );
      const survivor = await startWorker({
        db: test.db,
        queue,
        run: succeed,
        pollIntervalMs: 100,
        sweepIntervalMs: 300,
        log: () => {},
      });
      try {
        const row = await waitFor('the orphan to be failed', async () => {
          const current = await deployment(test, stuck.deploymentId);
          return current.status === 'failed' ? current : null;
        });
        expect(row.metadata.reason).toBe('worker stopped during building');
      } finally {
        await survivor.stop();
      }
    } finally {
      await worker.stop();
    }
  });
});
