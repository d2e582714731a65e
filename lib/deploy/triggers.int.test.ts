import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { env } from '@/lib/env';
import { imageRepo } from '@/lib/swarm/names';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { actAs, newUser, NO_SUCH_ID, refusal, TEST_META, type TestUser as User } from '@/lib/testing/fixtures';
import { checkCompose } from '@/lib/validation/compose';

import type { DeploymentQueue } from './queue';
import { transition } from './state';
import { deployment, newApplication, startTestQueue, system } from './testing/fixtures';
import {
  cancelDeployment,
  COMPOSE_NOT_DEPLOYABLE,
  deployApplication,
  redeployApplication,
  rollbackApplication,
} from './triggers';

let test: TestDatabase;
let queue: DeploymentQueue;
let alice: User; // owns the applications
let bob: User; // another tenant
let tina: User; // viewer in alice's team
let appId: string;

const audits = (where: { userId?: string; resourceId?: string; action?: string }) =>
  system(test, (tx) => tx.auditLog.findMany({ where, orderBy: { id: 'asc' } }));
const jobState = async (jobId: string) => (await queue.boss.getJobById(queue.name, jobId))?.state ?? null;

/** A finished deployment as the pipeline would leave it. */
async function finished(
  applicationId: string,
  status: 'success' | 'failed',
  metadata: Record<string, unknown> = {},
  commitSha?: string,
) {
  return system(test, async (tx) => {
    const { id } = await tx.deployment.create({
      data: { applicationId, commitSha, metadata: metadata as object },
      select: { id: true },
    });
    await transition(tx, id, 'building');
    if (status === 'success') {
      await transition(tx, id, 'deploying');
      await transition(tx, id, 'success');
    } else {
      await transition(tx, id, 'failed', { reason: 'build failed' });
    }
    return id;
  });
}

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  [alice, bob, tina] = [await newUser(test), await newUser(test), await newUser(test)];
  appId = await newApplication(test, alice, { members: [[tina, 'viewer']] });
});
afterAll(async () => {
  await queue?.stop();
  await test?.drop();
});

describe('deployApplication', () => {
  it('queues a pending deployment with its job, triggered by the person, and audits it', async () => {
    const result = await actAs(test, alice, (tx, ctx) =>
      deployApplication(tx, ctx, queue, { applicationId: appId, commitSha: 'deadbeef' }),
    );
    const row = await deployment(test, result.deploymentId);
    expect(row).toMatchObject({
      status: 'pending',
      triggeredBy: alice.id,
      commitSha: 'deadbeef',
      metadata: expect.objectContaining({ trigger: 'deploy' }),
    });
    expect(await jobState(result.jobId)).toBe('created');
    const [audit] = await audits({ userId: alice.id, action: 'application.deploy' });
    expect(audit!).toMatchObject({ resourceType: 'application', resourceId: appId, ipAddress: TEST_META.ip });
    expect(audit!.details).toMatchObject({ deploymentId: result.deploymentId, kind: 'deploy', commitSha: 'deadbeef' });
  });

  it("another tenant's application is not found (audited, nothing queued); a viewer is forbidden", async () => {
    const before = await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId } }));
    const hidden = await refusal(
      actAs(test, bob, (tx, ctx) => deployApplication(tx, ctx, queue, { applicationId: appId })),
    );
    expect(hidden.code).toBe('not_found');
    expect(await audits({ userId: bob.id, action: 'authz.denied' })).toEqual([
      expect.objectContaining({
        resourceType: 'application',
        resourceId: appId,
        details: { action: 'application.deploy' },
      }),
    ]);
    const viewer = await refusal(
      actAs(test, tina, (tx, ctx) => deployApplication(tx, ctx, queue, { applicationId: appId })),
    );
    expect(viewer.code).toBe('forbidden');
    expect(await audits({ userId: tina.id, action: 'authz.denied' })).toHaveLength(1);
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId } }))).toBe(before);
    expect(
      (await refusal(actAs(test, alice, (tx, ctx) => deployApplication(tx, ctx, queue, { applicationId: NO_SUCH_ID }))))
        .code,
    ).toBe('not_found');
  });

  it('refuses an archived application', async () => {
    const archived = await newApplication(test, alice);
    await system(test, (tx) => tx.$executeRaw`SELECT soft_delete_application(${archived}::uuid)`);
    const error = await refusal(
      actAs(test, alice, (tx, ctx) => deployApplication(tx, ctx, queue, { applicationId: archived })),
    );
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining('archived') });
  });

  it('refuses a compose application, saying plainly that compose deployment is not supported yet (nothing queued)', async () => {
    const compose = await newApplication(test, alice);
    await system(test, (tx) =>
      tx.application.update({ where: { id: compose }, data: { type: 'compose', sourceType: 'docker_compose' } }),
    );
    const error = await refusal(
      actAs(test, alice, (tx, ctx) => deployApplication(tx, ctx, queue, { applicationId: compose })),
    );
    expect(error).toMatchObject({ code: 'conflict', message: COMPOSE_NOT_DEPLOYABLE });
    expect(error.message).toMatch(/^Compose deployment is not supported yet/);
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: compose } }))).toBe(0);
  });

  it('refuses a compose application whose stored file asks for host powers with the message saving gives', async () => {
    // Stored around the panel's checks (as a file saved before they existed would be): deploy checks it again.
    const compose = 'services:\n  web:\n    image: nginx\n    network_mode: host\n';
    const app = await newApplication(test, alice);
    await system(test, (tx) =>
      tx.application.update({
        where: { id: app },
        data: { type: 'compose', sourceType: 'docker_compose', sourceConfig: { compose, services: ['web'] } },
      }),
    );
    const error = await refusal(
      actAs(test, alice, (tx, ctx) => deployApplication(tx, ctx, queue, { applicationId: app })),
    );
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(checkCompose(compose).problems[0]);
    expect(error.message).toMatch(/^This compose file cannot be deployed\. Service "web" sets network_mode: host:/);
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: app } }))).toBe(0);
  });
});

describe('redeployApplication', () => {
  it('needs a successful deployment, then rebuilds its commit', async () => {
    const app = await newApplication(test, alice);
    expect(
      (await refusal(actAs(test, alice, (tx, ctx) => redeployApplication(tx, ctx, queue, { applicationId: app }))))
        .code,
    ).toBe('conflict');
    const current = await finished(app, 'success', { image: 'slipway/x:1' }, 'cafe1234');
    const result = await actAs(test, alice, (tx, ctx) => redeployApplication(tx, ctx, queue, { applicationId: app }));
    const row = await deployment(test, result.deploymentId);
    expect(row).toMatchObject({
      commitSha: 'cafe1234',
      metadata: expect.objectContaining({ trigger: 'redeploy', redeploy_of: current }),
    });
    expect((await audits({ resourceId: app, action: 'application.deploy' }))[0]!.details).toMatchObject({
      kind: 'redeploy',
    });
    expect(
      (await refusal(actAs(test, tina, (tx, ctx) => redeployApplication(tx, ctx, queue, { applicationId: app })))).code,
    ).toBe('not_found');
  });
});

describe('rollbackApplication', () => {
  it('goes back only to an earlier successful deployment of the same application that kept its image', async () => {
    const app = await newApplication(test, alice, { status: 'running', members: [[tina, 'viewer']] });
    const other = await newApplication(test, alice);
    const old = await finished(app, 'success', { image: 'slipway/app:old' }, 'aaaa1111');
    const noImage = await finished(app, 'success');
    const broken = await finished(app, 'failed', { image: 'slipway/app:broken' });
    const elsewhere = await finished(other, 'success', { image: 'slipway/other:1' });
    const current = await finished(app, 'success', { image: 'slipway/app:current' });
    const rollback = (toDeploymentId: string) =>
      actAs(test, alice, (tx, ctx) => rollbackApplication(tx, ctx, queue, { applicationId: app, toDeploymentId }));

    expect(await refusal(rollback(broken))).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('ended failed'),
    });
    expect(await refusal(rollback(noImage))).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('no kept image'),
    });
    expect(await refusal(rollback(elsewhere))).toMatchObject({ code: 'not_found' });
    expect(await refusal(rollback(current))).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('current version'),
    });
    await expect(rollback('not-a-uuid')).rejects.toBeInstanceOf(ZodError);

    const result = await rollback(old);
    const row = await deployment(test, result.deploymentId);
    expect(row).toMatchObject({
      status: 'pending',
      commitSha: 'aaaa1111',
      metadata: expect.objectContaining({ trigger: 'rollback', image: 'slipway/app:old', rollback_of: old }),
    });
    const [audit] = await audits({ resourceId: app, action: 'application.rollback' });
    expect(audit!.details).toMatchObject({
      deploymentId: result.deploymentId,
      toDeploymentId: old,
      image: 'slipway/app:old',
    });
    expect(
      (
        await refusal(
          actAs(test, tina, (tx, ctx) =>
            rollbackApplication(tx, ctx, queue, { applicationId: app, toDeploymentId: old }),
          ),
        )
      ).code,
    ).toBe('forbidden');
  });
});

describe('rollbackApplication, image retention', () => {
  it('refuses a deployment whose built image was pruned (older than the kept window), and names what to do', async () => {
    const app = await newApplication(test, alice, { status: 'running' });
    const built = (n: number) => `${imageRepo(app)}:v${n}-0000000${n}`;
    const first = await finished(app, 'success', { image: built(0) }, 'beef0000');
    // SLIPWAY_KEEP_IMAGES (default 5) later successes: the first one's image is out of the window.
    for (let n = 1; n <= env().SLIPWAY_KEEP_IMAGES; n += 1) await finished(app, 'success', { image: built(n) });
    const second = (await system(test, (tx) =>
      tx.deployment.findFirst({
        where: { applicationId: app, metadata: { path: ['image'], equals: built(1) } },
        select: { id: true },
      }),
    ))!.id;
    const rollback = (toDeploymentId: string) =>
      actAs(test, alice, (tx, ctx) => rollbackApplication(tx, ctx, queue, { applicationId: app, toDeploymentId }));

    const refused = await refusal(rollback(first));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toMatch(/pruned .* deploy its commit again/);
    // Still inside the window: accepted.
    expect((await rollback(second)).deploymentId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('cancelDeployment', () => {
  it('cancels a pending deployment for someone who may deploy; others are refused, the deployment untouched', async () => {
    const app = await newApplication(test, alice, { members: [[tina, 'viewer']] });
    const { deploymentId } = await actAs(test, alice, (tx, ctx) =>
      deployApplication(tx, ctx, queue, { applicationId: app }),
    );
    const hidden = await refusal(actAs(test, bob, (tx, ctx) => cancelDeployment(tx, ctx, queue, { deploymentId })));
    expect(hidden).toMatchObject({ code: 'not_found', message: expect.stringContaining('deployment') });
    expect(
      (await refusal(actAs(test, tina, (tx, ctx) => cancelDeployment(tx, ctx, queue, { deploymentId })))).code,
    ).toBe('forbidden');
    expect(
      (await refusal(actAs(test, bob, (tx, ctx) => cancelDeployment(tx, ctx, queue, { deploymentId: NO_SUCH_ID }))))
        .code,
    ).toBe('not_found');
    expect((await deployment(test, deploymentId)).status).toBe('pending');

    const result = await actAs(test, alice, (tx, ctx) => cancelDeployment(tx, ctx, queue, { deploymentId }));
    expect(result.outcome).toBe('cancelled');
    expect((await deployment(test, deploymentId)).metadata.reason).toBe('cancelled');
    expect(await audits({ resourceId: deploymentId, action: 'deployment.cancel' })).toEqual([
      expect.objectContaining({
        userId: alice.id,
        resourceType: 'deployment',
        details: { applicationId: app, from: 'pending', outcome: 'cancelled' },
      }),
    ]);
    const denied = await audits({ userId: bob.id, action: 'authz.denied' });
    // Row-level security hides another tenant's deployment itself: the refusal names the deployment, as for a missing one.
    expect(denied.some((a) => a.resourceType === 'deployment' && a.resourceId === deploymentId)).toBe(true);
  });
});
