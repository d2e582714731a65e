// The panel's deployment runtime starts lazily: configured at boot, started at once only when a deployment is
// unfinished (it needs the worker or recovery), otherwise by the first deployment; stopped and forgotten at shutdown.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { newUser, type TestUser as User } from '@/lib/testing/fixtures';

import { enqueueDeployment } from './queue';
import {
  configureDeployRuntime,
  deployRuntimeStarted,
  getDeployQueue,
  stopDeployRuntime,
  unfinishedDeployments,
} from './runtime';
import { deployment, newApplication, system, waitFor } from './testing/fixtures';

let test: TestDatabase;
let owner: User;
const quiet = () => {};

beforeAll(async () => {
  test = await createTestDatabase();
  owner = await newUser(test);
}, 60_000);

afterEach(async () => {
  await stopDeployRuntime();
});

afterAll(async () => {
  await test?.drop();
});

describe('the deployment runtime', () => {
  it('is not started at boot when nothing is unfinished, and starts with the first deployment', async () => {
    expect(await unfinishedDeployments(test.db)).toBe(0);
    const started = await configureDeployRuntime(test.db, { worker: false, connectionString: test.url, log: quiet });
    expect(started).toBe(false);
    expect(deployRuntimeStarted()).toBe(false);

    const queue = await getDeployQueue();
    expect(deployRuntimeStarted()).toBe(true);
    // The same queue for every later caller.
    expect(await getDeployQueue()).toBe(queue);
    const appId = await newApplication(test, owner);
    const { jobId } = await system(test, (tx) =>
      enqueueDeployment(tx, queue, { applicationId: appId, triggeredBy: owner.id, trigger: 'deploy' }),
    );
    expect(jobId).toMatch(/[0-9a-f-]{36}/);
    // Leave nothing pending for the next test.
    await system(
      test,
      (tx) =>
        tx.$executeRaw`UPDATE deployments SET status = 'failed', completed_at = now() WHERE application_id = ${appId}::uuid`,
    );
  }, 60_000);

  it('starts at boot when a deployment is pending, and its worker takes it', async () => {
    const appId = await newApplication(test, owner);
    // A git application without a repository: the pipeline fails it at once, without Docker doing anything.
    const { id } = await system(test, (tx) =>
      tx.deployment.create({
        data: { applicationId: appId, status: 'pending', triggeredBy: owner.id, metadata: { trigger: 'deploy' } },
        select: { id: true },
      }),
    );
    expect(await unfinishedDeployments(test.db)).toBe(1);
    const started = await configureDeployRuntime(test.db, {
      worker: true,
      connectionString: test.url,
      log: quiet,
      pollIntervalMs: 100,
    });
    expect(started).toBe(true);
    expect(deployRuntimeStarted()).toBe(true);
    // It has no job yet (written around the queue): the worker's start-up sweep sends one.
    const row = await waitFor(
      'the pending deployment to be run',
      async () => {
        const current = await deployment(test, id);
        return ['pending', 'building'].includes(current.status) ? null : current;
      },
      30_000,
    );
    expect(row.status).toBe('failed');
    expect(String((row.metadata as Record<string, unknown>).reason)).toContain('no repository');
  }, 60_000);

  it('forgets its configuration when stopped, so nothing starts it during shutdown', async () => {
    await configureDeployRuntime(test.db, { worker: false, connectionString: test.url, log: quiet });
    await stopDeployRuntime();
    await expect(getDeployQueue()).rejects.toThrow(/not configured/);
    expect(deployRuntimeStarted()).toBe(false);
  });
});
