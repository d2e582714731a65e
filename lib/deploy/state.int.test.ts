import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { newUser, notificationsDuring } from '@/lib/testing/fixtures';

import { STATUS_CHANNEL } from './log-sink';
import { transition, tryTransition } from './state';
import { appStatus, deployment, newApplication, system } from './testing/fixtures';

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test?.drop();
});

async function pendingDeployment(applicationId: string, metadata: object = {}): Promise<string> {
  return (await system(test, (tx) => tx.deployment.create({ data: { applicationId, metadata }, select: { id: true } })))
    .id;
}
const move = (id: string, to: Parameters<typeof transition>[2], options?: Parameters<typeof transition>[3]) =>
  system(test, (tx) => transition(tx, id, to, options));

describe('transition, commits', () => {
  it('records the commit the pipeline resolved, and a success makes it the git source’s deployed commit', async () => {
    const owner = await newUser(test);
    const appId = await newApplication(test, owner, { status: 'running' });
    await system(test, (tx) =>
      tx.gitSource.create({ data: { applicationId: appId, provider: 'github', repository: 'o/r', branch: 'main' } }),
    );
    const sourceSha = async () =>
      (await system(test, (tx) => tx.gitSource.findUnique({ where: { applicationId: appId } })))?.commitSha;
    const head = 'c0ffee'.padEnd(40, '1');

    // A branch deploy: no commit when queued; the pipeline reports the one it checked out.
    const id = await pendingDeployment(appId, { trigger: 'deploy' });
    await move(id, 'building');
    const deploying = await move(id, 'deploying', { metadata: { image: 'slipway/app:1', commit_sha: head } });
    expect(deploying.commitSha).toBe(head);
    expect(await sourceSha()).toBeNull();
    await move(id, 'success');
    expect(await sourceSha()).toBe(head);

    // A failed deployment of another commit leaves the deployed commit alone; a malformed sha is not copied.
    const other = await pendingDeployment(appId, { trigger: 'deploy' });
    await move(other, 'building');
    const odd = await move(other, 'deploying', { metadata: { commit_sha: 'not a sha' } });
    expect(odd.commitSha).toBeNull();
    await move(other, 'failed', { reason: 'rollout failed' });
    expect(await sourceSha()).toBe(head);
  });
});

describe('transition', () => {
  it('walks pending → building → deploying → success, stamping times and duration, the application following', async () => {
    const owner = await newUser(test);
    const appId = await newApplication(test, owner, { status: 'stopped' });
    const id = await pendingDeployment(appId, { trigger: 'deploy' });
    const queued = await deployment(test, id);

    const building = await move(id, 'building', { from: 'pending' });
    expect(building.status).toBe('building');
    expect(building.startedAt.getTime()).toBeGreaterThanOrEqual(queued.startedAt.getTime());
    expect(building.metadata).toMatchObject({ trigger: 'deploy', previous_app_status: 'stopped' });
    expect(await appStatus(test, appId)).toBe('deploying');

    await new Promise((resolve) => setTimeout(resolve, 250));
    await move(id, 'deploying', { metadata: { image: 'slipway/app:1' } });
    expect(await appStatus(test, appId)).toBe('deploying');
    const done = await move(id, 'success');
    expect(done.completedAt).not.toBeNull();
    expect(done.metadata).toMatchObject({ image: 'slipway/app:1', trigger: 'deploy' });
    expect(done.metadata.duration_seconds).toBeGreaterThanOrEqual(0.2);
    expect(await appStatus(test, appId)).toBe('running');
  });

  it('refuses illegal moves and leaves the row as it was', async () => {
    const owner = await newUser(test);
    const appId = await newApplication(test, owner);
    const id = await pendingDeployment(appId);
    for (const to of ['deploying', 'success', 'rolled_back', 'pending'] as const) {
      await expect(move(id, to)).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining(`cannot go from pending to ${to}`),
      });
    }
    await move(id, 'building');
    await expect(move(id, 'building', { from: 'pending' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('cannot go from building'),
    });
    await move(id, 'deploying');
    await move(id, 'rolled_back', { reason: 'health check failed' });
    for (const to of ['pending', 'building', 'deploying', 'success', 'failed'] as const) {
      await expect(move(id, to)).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining(`cannot go from rolled_back to ${to}`),
      });
    }
    const row = await deployment(test, id);
    expect(row.status).toBe('rolled_back');
    expect(row.metadata.reason).toBe('health check failed');
    expect(await appStatus(test, appId)).toBe('running');
    await expect(move('00000000-0000-4000-8000-000000000000', 'building')).rejects.toMatchObject({
      message: expect.stringContaining('does not exist'),
    });
  });

  it('only one of two racing moves from the same state wins', async () => {
    const owner = await newUser(test);
    const appId = await newApplication(test, owner);
    const id = await pendingDeployment(appId);
    const results = await Promise.all(
      [0, 1, 2].map(() => system(test, (tx) => tryTransition(tx, id, 'building', { from: 'pending' }))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('failing: from building a running app keeps running, from deploying it is failed, from pending unchanged', async () => {
    const owner = await newUser(test);
    const running = await newApplication(test, owner, { status: 'running' });
    const a = await pendingDeployment(running);
    await move(a, 'building');
    const failed = await move(a, 'failed', { reason: 'docker build exited 1' });
    expect(failed.metadata).toMatchObject({ reason: 'docker build exited 1' });
    expect(failed.metadata.duration_seconds).toEqual(expect.any(Number));
    expect(await appStatus(test, running)).toBe('running');

    const b = await pendingDeployment(running);
    await move(b, 'building');
    await move(b, 'deploying');
    await move(b, 'failed', { reason: 'service update failed' });
    expect(await appStatus(test, running)).toBe('failed');

    const c = await pendingDeployment(running);
    const superseded = await move(c, 'superseded', { reason: 'superseded by x' });
    expect(superseded.metadata.duration_seconds).toBeUndefined();
    expect(superseded.completedAt).not.toBeNull();
    expect(await appStatus(test, running)).toBe('failed');
  });

  it('refuses to start rolling out a build someone asked to stop', async () => {
    const owner = await newUser(test);
    const appId = await newApplication(test, owner);
    const id = await pendingDeployment(appId);
    await move(id, 'building');
    await system(
      test,
      (tx) => tx.$executeRaw`
      UPDATE deployments SET metadata = metadata || '{"cancel_requested_at": "now"}'::jsonb WHERE id = ${id}::uuid`,
    );
    const result = await system(test, (tx) => tryTransition(tx, id, 'deploying'));
    expect(result).toEqual({ ok: false, current: 'building', detail: 'cancellation requested' });
    await move(id, 'failed', { reason: 'cancelled' });
  });

  it('leaves an archived application archived', async () => {
    const owner = await newUser(test);
    const appId = await newApplication(test, owner, { status: 'running' });
    const id = await pendingDeployment(appId);
    await move(id, 'building');
    await system(test, (tx) => tx.$executeRaw`SELECT soft_delete_application(${appId}::uuid)`);
    await move(id, 'deploying');
    await move(id, 'success');
    expect(await appStatus(test, appId)).toBe('archived');
  });

  it('is announced on the status channel (the database trigger) at commit', async () => {
    const owner = await newUser(test);
    const appId = await newApplication(test, owner);
    const id = await pendingDeployment(appId);
    const payloads = await notificationsDuring(test.adminUrl, STATUS_CHANNEL, async () => {
      await move(id, 'building');
      await move(id, 'failed', { reason: 'x' });
    });
    expect(payloads).toEqual([`${id}:building`, `${id}:failed`]);
  });
});
