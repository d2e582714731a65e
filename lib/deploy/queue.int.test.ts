import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { refreshApplicationStats } from '@/lib/db/maintenance';
import { AppError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { newUser, notificationsDuring, type TestUser as User } from '@/lib/testing/fixtures';

import { STATUS_CHANNEL } from './log-sink';
import { CANCEL_CHANNEL, enqueueDeployment, requestCancellation, startQueue, type DeploymentQueue } from './queue';
import { transition } from './state';
import { deployment, newApplication, startTestQueue, system } from './testing/fixtures';

let test: TestDatabase;
let queue: DeploymentQueue;
let owner: User;

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  owner = await newUser(test);
});
afterAll(async () => {
  await queue?.stop();
  await test?.drop();
});

const enqueue = (applicationId: string, extra: { commitSha?: string; image?: string } = {}) =>
  system(test, (tx) =>
    enqueueDeployment(tx, queue, { applicationId, triggeredBy: owner.id, trigger: 'deploy', ...extra }),
  );
const jobState = async (jobId: string) => (await queue.boss.getJobById(queue.name, jobId))?.state ?? null;

describe('the queue', () => {
  it('installs pg-boss in its own schema as the panel role, which is neither superuser nor BYPASSRLS', async () => {
    const { rows } = await test.db.pool.query<{ rolsuper: boolean; owner: string }>(
      `SELECT r.rolsuper, n.nspowner::regrole::text AS owner FROM pg_roles r, pg_namespace n
        WHERE r.rolname = current_user AND n.nspname = 'pgboss'`,
    );
    expect(rows).toEqual([{ rolsuper: false, owner: 'slipway_test' }]);
    expect(await queue.boss.getQueue(queue.name)).toMatchObject({ name: 'slipway-deployments', policy: 'standard' });
  });

  it("can run on the panel's own pool instead of a pool of its own", async () => {
    const shared = await startQueue({ pool: test.db.pool, supervise: false, log: () => {} });
    try {
      const appId = await newApplication(test, owner);
      const { jobId } = await system(test, (tx) =>
        enqueueDeployment(tx, shared, { applicationId: appId, triggeredBy: null, trigger: 'deploy' }),
      );
      expect((await shared.boss.getJobById(shared.name, jobId))?.state).toBe('created');
      expect(test.db.pool.ended).toBe(false);
    } finally {
      await shared.stop();
    }
    expect(test.db.pool.ended).toBe(false);
  });

  it('writes the pending row and its job together', async () => {
    const appId = await newApplication(test, owner);
    const { deploymentId, jobId, superseded } = await enqueue(appId, { commitSha: 'abc1234' });
    expect(superseded).toEqual([]);
    const row = await deployment(test, deploymentId);
    expect(row).toMatchObject({ status: 'pending', applicationId: appId, triggeredBy: owner.id, commitSha: 'abc1234' });
    expect(row.metadata).toMatchObject({ trigger: 'deploy', job_id: jobId });
    const job = await queue.boss.getJobById<{ deploymentId: string }>(queue.name, jobId);
    expect(job).toMatchObject({ state: 'created', data: { deploymentId, applicationId: appId } });
  });

  it('leaves neither row nor job when the transaction that enqueued rolls back', async () => {
    const appId = await newApplication(test, owner);
    let jobId = '';
    await expect(
      system(test, async (tx) => {
        jobId = (await enqueueDeployment(tx, queue, { applicationId: appId, triggeredBy: null, trigger: 'deploy' }))
          .jobId;
        throw new Error('the audit write failed');
      }),
    ).rejects.toThrow('the audit write failed');
    expect(jobId).not.toBe('');
    expect(await jobState(jobId)).toBeNull();
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId } }))).toBe(0);
  });

  it('when the job cannot be written, the row is not left behind either', async () => {
    const appId = await newApplication(test, owner);
    const broken: DeploymentQueue = { ...queue, name: 'no-such-queue' };
    await expect(
      system(test, (tx) =>
        enqueueDeployment(tx, broken, { applicationId: appId, triggeredBy: owner.id, trigger: 'deploy' }),
      ),
    ).rejects.toThrow('did not accept a job');
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId } }))).toBe(0);
  });

  it('a newer trigger supersedes the one still pending and cancels its job, never one already running', async () => {
    const appId = await newApplication(test, owner);
    const running = await enqueue(appId);
    await system(test, (tx) => transition(tx, running.deploymentId, 'building'));
    const first = await enqueue(appId);
    const second = await enqueue(appId);
    expect(second.superseded).toEqual([first.deploymentId]);

    const old = await deployment(test, first.deploymentId);
    expect(old.status).toBe('superseded');
    expect(old.metadata).toMatchObject({
      reason: `superseded by ${second.deploymentId}`,
      superseded_by: second.deploymentId,
    });
    expect(await jobState(first.jobId)).toBe('cancelled');
    expect((await deployment(test, running.deploymentId)).status).toBe('building');
    expect((await deployment(test, second.deploymentId)).status).toBe('pending');
    expect(await jobState(second.jobId)).toBe('created');
  });

  it('a superseded deployment is recorded as superseded, not failed: no failure counted or announced', async () => {
    const appId = await newApplication(test, owner, { status: 'running' });
    const first = await enqueue(appId);
    let second: Awaited<ReturnType<typeof enqueue>> | undefined;
    const heard = await notificationsDuring(test.adminUrl, STATUS_CHANNEL, async () => {
      second = await enqueue(appId);
    });
    expect(second!.superseded).toEqual([first.deploymentId]);
    // The live views and anything else listening hear "superseded", never "failed".
    expect(heard).toEqual([`${first.deploymentId}:superseded`]);
    const old = await deployment(test, first.deploymentId);
    expect(old).toMatchObject({
      status: 'superseded',
      metadata: expect.objectContaining({ reason: `superseded by ${second!.deploymentId}` }),
    });
    expect(old.completedAt).not.toBeNull();
    // Not a failure anywhere failures are counted: the deployments, the application, the dashboard's view.
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId, status: 'failed' } }))).toBe(
      0,
    );
    await refreshApplicationStats(test.db.pool);
    const { rows } = await test.systemPool.query<{ status: string; failed: number }>(
      `SELECT a.status, s.failed::int AS failed FROM applications a JOIN application_stats s USING (project_id)
        WHERE a.id = $1`,
      [appId],
    );
    expect(rows).toEqual([{ status: 'running', failed: 0 }]);
  });

  it('concurrent triggers of one application leave exactly one pending', async () => {
    const appId = await newApplication(test, owner);
    const results = await Promise.all(Array.from({ length: 5 }, () => enqueue(appId)));
    const rows = await system(test, (tx) =>
      tx.deployment.findMany({ where: { applicationId: appId }, select: { id: true, status: true } }),
    );
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(1);
    expect(rows.filter((r) => r.status === 'superseded')).toHaveLength(4);
    expect(results.flatMap((r) => r.superseded).sort()).toEqual(
      rows
        .filter((r) => r.status === 'superseded')
        .map((r) => r.id)
        .sort(),
    );
  });
});

describe('requestCancellation', () => {
  it('fails a pending deployment at once and cancels its job', async () => {
    const appId = await newApplication(test, owner, { status: 'running' });
    const { deploymentId, jobId } = await enqueue(appId);
    const result = await system(test, (tx) => requestCancellation(tx, queue, { deploymentId, actorId: owner.id }));
    expect(result).toMatchObject({ outcome: 'cancelled', from: 'pending', applicationId: appId });
    const row = await deployment(test, deploymentId);
    expect(row).toMatchObject({
      status: 'failed',
      metadata: expect.objectContaining({ reason: 'cancelled', cancelled_by: owner.id }),
    });
    expect(await jobState(jobId)).toBe('cancelled');
    const app = await system(test, (tx) => tx.application.findUniqueOrThrow({ where: { id: appId } }));
    expect(app.status).toBe('running');
  });

  it('marks a building deployment and tells workers by NOTIFY', async () => {
    const appId = await newApplication(test, owner);
    const { deploymentId } = await enqueue(appId);
    await system(test, (tx) => transition(tx, deploymentId, 'building'));
    const heard = await notificationsDuring(test.adminUrl, CANCEL_CHANNEL, async () => {
      const result = await system(test, (tx) => requestCancellation(tx, queue, { deploymentId, actorId: owner.id }));
      expect(result.outcome).toBe('cancelling');
    });
    expect(heard).toEqual([deploymentId]);
    const row = await deployment(test, deploymentId);
    expect(row.status).toBe('building');
    expect(row.metadata).toMatchObject({ cancel_requested_by: owner.id, cancel_requested_at: expect.any(String) });
  });

  it('refuses while deploying and once finished', async () => {
    const appId = await newApplication(test, owner);
    const { deploymentId } = await enqueue(appId);
    await system(test, (tx) => transition(tx, deploymentId, 'building'));
    await system(test, (tx) => transition(tx, deploymentId, 'deploying'));
    const cancel = () => system(test, (tx) => requestCancellation(tx, queue, { deploymentId, actorId: owner.id }));
    await expect(cancel()).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('rolling out') });
    await system(test, (tx) => transition(tx, deploymentId, 'success'));
    await expect(cancel()).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already finished'),
    });
    await expect(
      system(test, (tx) =>
        requestCancellation(tx, queue, { deploymentId: '00000000-0000-4000-8000-000000000000', actorId: null }),
      ),
    ).rejects.toBeInstanceOf(AppError);
  });
});
