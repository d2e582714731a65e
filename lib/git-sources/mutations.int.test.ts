// The Source tab's domain functions against real PostgreSQL, pg-boss (no worker: queued deployments stay pending)
// and a real git server. alice owns the applications, shared through a team where mia is a member (may change and
// deploy, may not reveal secrets) and tina a viewer; bob is another tenant.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import type { DeploymentQueue } from '@/lib/deploy/queue';
import { newApplication, startTestQueue, system } from '@/lib/deploy/testing/fixtures';
import { startGitServer, type GitTestServer } from '@/lib/git/test-server';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import {
  actAs,
  newUser,
  NO_SUCH_ID,
  refusal,
  TEST_META,
  workContext,
  type TestUser as User,
} from '@/lib/testing/fixtures';
import { webhookSettingsSchema } from '@/lib/validation/git-source';
import { signBody, verifySignature } from '@/lib/webhooks/signature';

import { decryptField, encryptField, readWebhookConfig, sourceSettings } from './config';
import {
  createDeployKey,
  deployLatestCommit,
  NOT_GIT,
  redeliver,
  regenerateWebhookSecret,
  removeCredentials,
  revealWebhookSecret,
  setAccessToken,
  updateWebhookSettings,
} from './mutations';
import { listDeliveries } from './queries';

let test: TestDatabase;
let queue: DeploymentQueue;
let git: GitTestServer;
let alice: User;
let bob: User;
let mia: User;
let tina: User;
const FIRST_SECRET = 'the-first-webhook-secret-0123456789abcdef';
const TOKEN = 'glpat-Abc123_def456-ghi789.jkl';
const sha = (n: number) => n.toString(16).padStart(40, 'c').slice(-40);

const configOf = async (applicationId: string) =>
  readWebhookConfig(
    (
      await system(test, (tx) =>
        tx.gitSource.findUniqueOrThrow({ where: { applicationId }, select: { webhookConfig: true } }),
      )
    ).webhookConfig,
  );
const audits = (where: { userId?: string; resourceId?: string; action?: string }) =>
  system(test, (tx) => tx.auditLog.findMany({ where, orderBy: { id: 'asc' } }));

/** A git application of alice's with its source (a webhook secret and a key the panel does not know). */
async function newGitApp(options: { repository?: string; config?: Record<string, unknown> } = {}) {
  const appId = await newApplication(test, alice, {
    members: [
      [mia, 'member'],
      [tina, 'viewer'],
    ],
  });
  const repository = options.repository ?? 'https://example.com/o/r.git';
  const webhookConfig = {
    secret: await encryptField('secret', FIRST_SECRET),
    secret_created_at: '2026-01-01T00:00:00.000Z',
    kept_by_others: 'yes',
    ...options.config,
  };
  const source = await system(test, async (tx) => {
    await tx.application.update({
      where: { id: appId },
      data: { sourceConfig: { repository, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' } },
    });
    return tx.gitSource.create({
      data: { applicationId: appId, provider: 'github', repository, branch: 'main', webhookConfig },
      select: { id: true },
    });
  });
  return { appId, sourceId: source.id };
}

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  git = await startGitServer();
  [alice, bob, mia, tina] = [await newUser(test), await newUser(test), await newUser(test), await newUser(test)];
}, 120_000);

afterAll(async () => {
  await queue?.stop();
  await git?.stop();
  await test?.drop();
});

describe('authorization', () => {
  it('another tenant gets not_found (audited) and a viewer is forbidden, for every change; nothing changes', async () => {
    const { appId } = await newGitApp();
    const before = await configOf(appId);
    const calls: [string, (tx: Tx, ctx: WorkContext) => Promise<unknown>][] = [
      ['regenerate', (tx, ctx) => regenerateWebhookSecret(tx, ctx, { applicationId: appId })],
      ['reveal', (tx, ctx) => revealWebhookSecret(tx, ctx, { applicationId: appId })],
      [
        'settings',
        (tx, ctx) =>
          updateWebhookSettings(tx, ctx, {
            applicationId: appId,
            autoDeploy: false,
            watchedBranch: 'x',
            deployTags: true,
          }),
      ],
      ['deploy key', (tx, ctx) => createDeployKey(tx, ctx, { applicationId: appId })],
      ['token', (tx, ctx) => setAccessToken(tx, ctx, { applicationId: appId, token: TOKEN })],
      ['remove', (tx, ctx) => removeCredentials(tx, ctx, { applicationId: appId })],
      ['redeliver', (tx, ctx) => redeliver(tx, ctx, queue, { applicationId: appId, deliveryRowId: NO_SUCH_ID })],
    ];
    for (const [what, call] of calls) {
      expect((await refusal(actAs(test, bob, call))).code, what).toBe('not_found');
      expect((await refusal(actAs(test, tina, call))).code, what).toBe('forbidden');
    }
    expect(
      (await refusal(deployLatestCommit(test.db.prisma, workContext(bob), queue, { applicationId: appId }))).code,
    ).toBe('not_found');
    expect(
      (await refusal(deployLatestCommit(test.db.prisma, workContext(tina), queue, { applicationId: appId }))).code,
    ).toBe('forbidden');
    expect((await refusal(actAs(test, bob, (tx, ctx) => listDeliveries(tx, ctx, { applicationId: appId })))).code).toBe(
      'not_found',
    );
    expect(await actAs(test, tina, (tx, ctx) => listDeliveries(tx, ctx, { applicationId: appId }))).toEqual({
      items: [],
      nextCursor: null,
    });

    const denied = await audits({ userId: bob.id, action: 'authz.denied' });
    expect(denied.length).toBeGreaterThanOrEqual(calls.length + 2);
    expect(denied.every((row) => row.resourceId === appId)).toBe(true);
    expect((await audits({ userId: tina.id, action: 'authz.denied' })).length).toBeGreaterThanOrEqual(calls.length + 1);
    expect(await configOf(appId)).toEqual(before);
  });

  it('refuses an application that is not from git, and changes to an archived one', async () => {
    const dockerApp = await newApplication(test, alice);
    await system(test, (tx) =>
      tx.application.update({ where: { id: dockerApp }, data: { type: 'docker', sourceType: 'docker' } }),
    );
    expect(
      await refusal(actAs(test, alice, (tx, ctx) => regenerateWebhookSecret(tx, ctx, { applicationId: dockerApp }))),
    ).toMatchObject({ code: 'conflict', message: NOT_GIT });
    const { appId } = await newGitApp();
    await system(test, (tx) => tx.$executeRaw`SELECT soft_delete_application(${appId}::uuid)`);
    expect(
      await refusal(actAs(test, alice, (tx, ctx) => createDeployKey(tx, ctx, { applicationId: appId }))),
    ).toMatchObject({ code: 'conflict', message: expect.stringContaining('archived') });
  });
});

describe('the webhook secret', () => {
  it('regenerating returns the new secret once, replaces the ciphertext, and the old secret stops verifying', async () => {
    const { appId, sourceId } = await newGitApp();
    const before = await configOf(appId);
    const { secret, createdAt } = await actAs(test, mia, (tx, ctx) =>
      regenerateWebhookSecret(tx, ctx, { applicationId: appId }),
    );
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const after = await configOf(appId);
    expect(after.secret).not.toBe(before.secret);
    expect(after.secret).not.toContain(secret);
    expect(after.secret_created_at).toBe(createdAt);
    expect(after.kept_by_others).toBe('yes');

    const stored = (await decryptField(after, 'secret'))!;
    expect(stored).toBe(secret);
    const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main' }));
    expect(verifySignature('github', signBody('github', body, FIRST_SECRET), body, stored).ok).toBe(false);
    expect(verifySignature('github', signBody('github', body, secret), body, stored).ok).toBe(true);

    const [audit] = await audits({ resourceId: appId, action: 'git_source.webhook_rotate' });
    expect(audit).toMatchObject({ userId: mia.id, details: { sourceId } });
    expect(JSON.stringify(audit!.details)).not.toContain(secret);
  });

  it('is revealed to the owner (audited) and refused to a member without env.reveal_secret', async () => {
    const { appId } = await newGitApp();
    expect(await actAs(test, alice, (tx, ctx) => revealWebhookSecret(tx, ctx, { applicationId: appId }))).toBe(
      FIRST_SECRET,
    );
    const [audit] = await audits({ resourceId: appId, action: 'git_source.webhook_reveal' });
    expect(audit).toMatchObject({ userId: alice.id, ipAddress: TEST_META.ip });
    expect(JSON.stringify(audit!.details)).not.toContain(FIRST_SECRET);

    expect(
      (await refusal(actAs(test, mia, (tx, ctx) => revealWebhookSecret(tx, ctx, { applicationId: appId })))).code,
    ).toBe('forbidden');
    expect(await audits({ userId: mia.id, action: 'authz.denied', resourceId: appId })).toEqual([
      expect.objectContaining({ details: { action: 'env.reveal_secret' } }),
    ]);
  });
});

describe('webhook settings', () => {
  it('stores auto-deploy, the watched branch and tag deploys, keeping every other key', async () => {
    const { appId } = await newGitApp();
    const saved = await actAs(test, mia, (tx, ctx) =>
      updateWebhookSettings(tx, ctx, {
        applicationId: appId,
        autoDeploy: false,
        watchedBranch: 'release/v2',
        deployTags: true,
      }),
    );
    expect(saved).toEqual({ autoDeploy: false, watchedBranch: 'release/v2', deployTags: true });
    const config = await configOf(appId);
    expect(config).toMatchObject({
      auto_deploy: false,
      branch: 'release/v2',
      deploy_tags: true,
      kept_by_others: 'yes',
      secret: expect.any(String),
    });
    expect(sourceSettings(config, 'main')).toMatchObject({
      autoDeploy: false,
      watchedBranch: 'release/v2',
      deployTags: true,
    });
    expect((await audits({ resourceId: appId, action: 'git_source.webhook_update' }))[0]!.details).toMatchObject({
      watchedBranch: 'release/v2',
    });

    // Blank, or the source's own branch: the key goes, and the watched branch follows the source again.
    for (const watchedBranch of ['', 'main']) {
      await actAs(test, alice, (tx, ctx) =>
        updateWebhookSettings(tx, ctx, {
          applicationId: appId,
          autoDeploy: 'on' as never,
          watchedBranch: 'other',
          deployTags: false,
        }),
      );
      const result = await actAs(test, alice, (tx, ctx) =>
        updateWebhookSettings(tx, ctx, { applicationId: appId, autoDeploy: true, watchedBranch, deployTags: false }),
      );
      expect(result.watchedBranch).toBe('main');
      expect(await configOf(appId)).not.toHaveProperty('branch');
    }
  });

  it('changes made at the same time all land: each merges into what the others wrote', async () => {
    const { appId } = await newGitApp();
    const before = await configOf(appId);
    const [, key, fresh] = await Promise.all([
      actAs(test, alice, (tx, ctx) =>
        updateWebhookSettings(tx, ctx, {
          applicationId: appId,
          autoDeploy: false,
          watchedBranch: 'dev',
          deployTags: true,
        }),
      ),
      actAs(test, mia, (tx, ctx) => createDeployKey(tx, ctx, { applicationId: appId })),
      actAs(test, alice, (tx, ctx) => regenerateWebhookSecret(tx, ctx, { applicationId: appId })),
    ]);
    const config = await configOf(appId);
    expect(config).toMatchObject({
      auto_deploy: false,
      branch: 'dev',
      deploy_tags: true,
      deploy_key_public: key.publicKey,
      kept_by_others: 'yes',
    });
    expect(config.secret).not.toBe(before.secret);
    expect(await decryptField(config, 'secret')).toBe(fresh.secret);
  });

  it.each([
    ['--upload-pack=x', 'has characters a branch name cannot use'],
    ['-main', 'cannot start with -'],
    ['main;id', 'has characters a branch name cannot use'],
    ['a..b', 'cannot contain “..”'],
    ['main\nid', 'has characters a branch name cannot use'],
    ['refs/heads/x.lock', 'cannot end with'],
  ])('refuses the watched branch %j with a clear message', async (watchedBranch, message) => {
    const parsed = webhookSettingsSchema.safeParse({ applicationId: randomUUID(), watchedBranch });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toContain(message);
    const { appId } = await newGitApp();
    const error = await actAs(test, alice, (tx, ctx) =>
      updateWebhookSettings(tx, ctx, { applicationId: appId, autoDeploy: true, watchedBranch, deployTags: false }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZodError);
    expect(await configOf(appId)).not.toHaveProperty('branch');
  });
});

describe('repository access', () => {
  it('a deploy key is stored encrypted; only its public half and fingerprint come back; it replaces a token', async () => {
    const { appId } = await newGitApp({
      config: { deploy_token: await encryptField('deploy_token', TOKEN), deploy_token_username: 'someone' },
    });
    const key = await actAs(test, mia, (tx, ctx) => createDeployKey(tx, ctx, { applicationId: appId }));
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ slipway-app-/);
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(Object.keys(key).sort()).toEqual(['fingerprint', 'publicKey']);

    const config = await configOf(appId);
    expect(config.deploy_key).not.toContain('PRIVATE KEY');
    expect(await decryptField(config, 'deploy_key')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(config).toMatchObject({
      deploy_key_public: key.publicKey,
      deploy_key_fingerprint: key.fingerprint,
      kept_by_others: 'yes',
    });
    expect(config).not.toHaveProperty('deploy_token');
    expect(config).not.toHaveProperty('deploy_token_username');
    const [audit] = await audits({ resourceId: appId, action: 'git_source.access_update' });
    expect(audit!.details).toMatchObject({ method: 'deploy_key', fingerprint: key.fingerprint, replaced: 'token' });
    expect(JSON.stringify(audit!.details)).not.toContain('PRIVATE');
  });

  it('a token is write-only: stored encrypted, never returned or audited, and it replaces a deploy key', async () => {
    const { appId } = await newGitApp();
    await actAs(test, alice, (tx, ctx) => createDeployKey(tx, ctx, { applicationId: appId }));
    const results = [
      await actAs(test, alice, (tx, ctx) => setAccessToken(tx, ctx, { applicationId: appId, token: TOKEN })),
      await actAs(test, alice, (tx, ctx) =>
        setAccessToken(tx, ctx, { applicationId: appId, token: TOKEN, username: 'deploy-bot' }),
      ),
    ];
    expect(results).toEqual([{ username: 'x-access-token' }, { username: 'deploy-bot' }]);
    const config = await configOf(appId);
    expect(config.deploy_token).not.toContain(TOKEN);
    expect(await decryptField(config, 'deploy_token')).toBe(TOKEN);
    expect(config).toMatchObject({ deploy_token_username: 'deploy-bot', kept_by_others: 'yes' });
    for (const gone of ['deploy_key', 'deploy_key_public', 'deploy_key_fingerprint'])
      expect(config).not.toHaveProperty(gone);
    expect(sourceSettings(config, 'main')).toMatchObject({
      authMethod: 'token',
      tokenUsername: 'deploy-bot',
      deployKeyPublic: null,
    });

    const seen = [
      results,
      await audits({ resourceId: appId }),
      await actAs(test, alice, (tx, ctx) => listDeliveries(tx, ctx, { applicationId: appId })),
    ];
    const everything = JSON.stringify(seen, (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    );
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(Buffer.from(`deploy-bot:${TOKEN}`).toString('base64'));
  });

  it.each([
    ['empty', ''],
    ['a space inside', 'abc def'],
    ['a line break', 'abc\ndef'],
    ['too long', 'x'.repeat(501)],
    ['not ASCII', 'tökén'],
  ])('refuses a token that is %s', async (_what, token) => {
    const { appId } = await newGitApp();
    const error = await actAs(test, alice, (tx, ctx) => setAccessToken(tx, ctx, { applicationId: appId, token })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZodError);
    expect(await configOf(appId)).not.toHaveProperty('deploy_token');
  });

  it('removing drops the key or token only', async () => {
    const { appId } = await newGitApp();
    await actAs(test, alice, (tx, ctx) =>
      setAccessToken(tx, ctx, { applicationId: appId, token: TOKEN, username: 'me' }),
    );
    expect(await actAs(test, alice, (tx, ctx) => removeCredentials(tx, ctx, { applicationId: appId }))).toEqual({
      removed: 'token',
    });
    const config = await configOf(appId);
    expect(Object.keys(config).sort()).toEqual(['kept_by_others', 'secret', 'secret_created_at']);
  });
});

describe('redeliver', () => {
  async function recorded(
    sourceId: string,
    row: { commitSha?: string | null; signatureOk?: boolean; ref?: string; outcome?: string; deliveryId?: string },
  ) {
    const signatureOk = row.signatureOk ?? true;
    return system(test, (tx) =>
      tx.webhookDelivery.create({
        data: {
          gitSourceId: sourceId,
          provider: 'github',
          event: 'push',
          deliveryId: row.deliveryId ?? randomUUID(),
          signatureOk,
          outcome: signatureOk ? (row.outcome ?? 'failed') : 'rejected',
          branch: 'main',
          commitSha: row.commitSha === undefined ? sha(1) : row.commitSha,
          summary: signatureOk
            ? {
                ref: row.ref ?? 'refs/heads/main',
                tag: null,
                before: null,
                message: 'fix the thing',
                author: 'Ada',
                timestamp: '2026-11-28T10:00:00Z',
                deleted: false,
              }
            : {},
        },
        select: { id: true },
      }),
    );
  }

  it('processes a signed push again: a new pending deployment, then coalesced, each recorded as a new delivery', async () => {
    const { appId, sourceId } = await newGitApp();
    const first = await recorded(sourceId, { commitSha: sha(1) });
    const result = await actAs(test, mia, (tx, ctx) =>
      redeliver(tx, ctx, queue, { applicationId: appId, deliveryRowId: first.id }),
    );
    expect(result).toMatchObject({ outcome: 'queued', commitSha: sha(1), deploymentId: expect.any(String) });
    const deployment = await system(test, (tx) =>
      tx.deployment.findUniqueOrThrow({ where: { id: result.deploymentId! } }),
    );
    expect(deployment).toMatchObject({ applicationId: appId, status: 'pending', commitSha: sha(1) });
    const row = await system(test, (tx) =>
      tx.webhookDelivery.findUniqueOrThrow({ where: { id: result.deliveryRowId } }),
    );
    expect(row).toMatchObject({
      event: 'redeliver',
      deliveryId: null,
      signatureOk: true,
      outcome: 'queued',
      redeliveryOf: first.id,
      commitSha: sha(1),
      deploymentId: result.deploymentId,
    });
    expect((await audits({ resourceId: appId, action: 'git_source.redeliver' }))[0]).toMatchObject({
      userId: mia.id,
      details: expect.objectContaining({ deliveryRowId: first.id }),
    });

    const again = await actAs(test, alice, (tx, ctx) =>
      redeliver(tx, ctx, queue, { applicationId: appId, deliveryRowId: first.id }),
    );
    expect(again).toMatchObject({ outcome: 'duplicate', deploymentId: result.deploymentId });
    const second = await recorded(sourceId, { commitSha: sha(2) });
    const moved = await actAs(test, alice, (tx, ctx) =>
      redeliver(tx, ctx, queue, { applicationId: appId, deliveryRowId: second.id }),
    );
    expect(moved).toMatchObject({ outcome: 'coalesced', deploymentId: result.deploymentId });
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId } }))).toBe(1);

    const page = await actAs(test, tina, (tx, ctx) => listDeliveries(tx, ctx, { applicationId: appId }));
    expect(page.items.map((item) => [item.event, item.outcome])).toEqual([
      ['redeliver', 'coalesced'],
      ['push', 'failed'],
      ['redeliver', 'duplicate'],
      ['redeliver', 'queued'],
      ['push', 'failed'],
    ]);
    expect(page.items[0]).toMatchObject({
      message: 'fix the thing',
      author: 'Ada',
      redeliverable: true,
      redeliveryOf: second.id,
    });
  });

  it('refuses unsigned rows, non-pushes and another application’s deliveries', async () => {
    const { appId, sourceId } = await newGitApp();
    const other = await newGitApp();
    const unsigned = await recorded(sourceId, { signatureOk: false, commitSha: null });
    const ping = await recorded(sourceId, { commitSha: null, outcome: 'ignored' });
    const elsewhere = await recorded(other.sourceId, {});
    const call = (deliveryRowId: string) =>
      actAs(test, alice, (tx, ctx) => redeliver(tx, ctx, queue, { applicationId: appId, deliveryRowId }));
    expect(await refusal(call(unsigned.id))).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('signature'),
    });
    expect(await refusal(call(ping.id))).toMatchObject({ code: 'conflict', message: expect.stringContaining('push') });
    expect((await refusal(call(elsewhere.id))).code).toBe('not_found');
    expect(await system(test, (tx) => tx.webhookDelivery.count({ where: { gitSourceId: sourceId } }))).toBe(2);
  });

  it('a push auto-deploy would ignore today is recorded as ignored, and deploys nothing', async () => {
    const { appId, sourceId } = await newGitApp({ config: { auto_deploy: false } });
    const push = await recorded(sourceId, {});
    const result = await actAs(test, alice, (tx, ctx) =>
      redeliver(tx, ctx, queue, { applicationId: appId, deliveryRowId: push.id }),
    );
    expect(result).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('auto-deploy is off'),
      deploymentId: null,
    });
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId } }))).toBe(0);
  });
});

describe('listDeliveries', () => {
  it('pages newest first by keyset, 25 at a time, and trims long messages', async () => {
    const { appId, sourceId } = await newGitApp();
    await system(test, async (tx) => {
      for (let i = 0; i < 30; i += 1) {
        await tx.webhookDelivery.create({
          data: {
            gitSourceId: sourceId,
            provider: 'github',
            event: 'push',
            deliveryId: `d-${i}`,
            signatureOk: true,
            outcome: 'ignored',
            commitSha: sha(i + 10),
            summary: { ref: 'refs/heads/dev', message: `${i} ${'m'.repeat(300)}`, before: sha(i + 9) },
            createdAt: new Date(Date.UTC(2026, 10, 28, 10, 0, i)),
          },
        });
      }
    });
    const first = await actAs(test, alice, (tx, ctx) => listDeliveries(tx, ctx, { applicationId: appId }));
    expect(first.items).toHaveLength(25);
    expect(first.items[0]).toMatchObject({ deliveryId: 'd-29', commitSha: sha(39) });
    expect(first.items[0]!.message).toHaveLength(201);
    expect(first.items[0]).not.toHaveProperty('before');
    const second = await actAs(test, alice, (tx, ctx) =>
      listDeliveries(tx, ctx, { applicationId: appId, cursor: first.nextCursor! }),
    );
    expect(second.items.map((item) => item.deliveryId)).toEqual(['d-4', 'd-3', 'd-2', 'd-1', 'd-0']);
    expect(second.nextCursor).toBeNull();
    await expect(
      actAs(test, alice, (tx, ctx) => listDeliveries(tx, ctx, { applicationId: appId, cursor: 'bogus!' })),
    ).rejects.toBeInstanceOf(ZodError);
  });
});

describe('deployLatestCommit', () => {
  it('asks the repository for the branch head and queues a deployment of it', async () => {
    const head = await git.commit({ 'app.txt': 'v2\n' }, 'second');
    const { appId } = await newGitApp({ repository: git.url });
    const result = await deployLatestCommit(test.db.prisma, workContext(mia), queue, { applicationId: appId });
    expect(result).toMatchObject({ commitSha: head, branch: 'main' });
    const deployment = await system(test, (tx) =>
      tx.deployment.findUniqueOrThrow({ where: { id: result.deploymentId } }),
    );
    expect(deployment).toMatchObject({ status: 'pending', commitSha: head, triggeredBy: mia.id });
  });

  it('deploys the watched branch, and says clearly when it does not exist', async () => {
    const release = await git.commit({ 'app.txt': 'release\n' }, 'release', 'release');
    const { appId } = await newGitApp({ repository: git.url, config: { branch: 'release' } });
    expect(await deployLatestCommit(test.db.prisma, workContext(alice), queue, { applicationId: appId })).toMatchObject(
      { commitSha: release, branch: 'release' },
    );

    await actAs(test, alice, (tx, ctx) =>
      updateWebhookSettings(tx, ctx, {
        applicationId: appId,
        autoDeploy: true,
        watchedBranch: 'nope',
        deployTags: false,
      }),
    );
    const error = await refusal(
      deployLatestCommit(test.db.prisma, workContext(alice), queue, { applicationId: appId }),
    );
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(
      /The branch “nope” does not exist in git:\/\/127\.0\.0\.1:\d+\/app\.git\. Branches: .*main/,
    );
    expect(await system(test, (tx) => tx.deployment.count({ where: { applicationId: appId } }))).toBe(1);
  });

  it('says clearly when the repository cannot be reached', async () => {
    const { appId } = await newGitApp({ repository: 'git://127.0.0.1:1/none.git' });
    const error = await refusal(
      deployLatestCommit(test.db.prisma, workContext(alice), queue, { applicationId: appId }),
    );
    expect(error.message).toMatch(
      /^Could not read the branch main from git:\/\/127\.0\.0\.1:1\/none\.git: fatal: unable to connect/,
    );
    expect(error.message).not.toContain('\n');
  });
});
