// The webhook receiver against real PostgreSQL and pg-boss (no worker: queued deployments stay pending, so what
// each delivery did can be read exactly). Hostile deliveries are refused and recorded, and nothing else changes;
// pushes queue, coalesce and never go backwards.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DeploymentQueue } from '@/lib/deploy/queue';
import { newApplication, startTestQueue, system } from '@/lib/deploy/testing/fixtures';
import { encryptField } from '@/lib/git-sources/config';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { newUser, type TestUser as User } from '@/lib/testing/fixtures';

import type { Provider } from './headers';
import { receiveWebhook, type ReceiverResponse } from './receive';
import { signBody } from './signature';

let test: TestDatabase;
let queue: DeploymentQueue;
let owner: User;
const SECRET = 'a-webhook-secret-for-tests-0123456789';

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as Record<string, unknown>;
const sha = (n: number) => n.toString(16).padStart(40, 'a').slice(-40);

type Source = { sourceId: string; appId: string; provider: Provider };

async function newSource(
  provider: Provider,
  config: Record<string, unknown> = {},
  secret: string | null = SECRET,
): Promise<Source> {
  const appId = await newApplication(test, owner, { status: 'running' });
  const webhookConfig = { ...(secret ? { secret: await encryptField('secret', secret) } : {}), ...config };
  const source = await system(test, async (tx) => {
    await tx.application.update({
      where: { id: appId },
      data: { type: 'git', sourceConfig: { repository: 'https://example.com/o/r.git', branch: 'main' } },
    });
    return tx.gitSource.create({
      data: {
        applicationId: appId,
        provider,
        repository: 'https://example.com/o/r.git',
        branch: 'main',
        webhookConfig,
      },
      select: { id: true },
    });
  });
  return { sourceId: source.id, appId, provider };
}

/** A GitHub push of `after` (with `before`) to `ref`, in GitHub's format. */
function githubPush(
  after: string,
  before: string,
  options: { ref?: string; timestamp?: string; message?: string } = {},
) {
  const body = fixture('github-push');
  const head = {
    ...(body.head_commit as Record<string, unknown>),
    id: after,
    message: options.message ?? `commit ${after.slice(0, 6)}`,
    timestamp: options.timestamp ?? '2026-11-28T10:00:00Z',
  };
  return { ...body, ref: options.ref ?? 'refs/heads/main', before, after, head_commit: head, commits: [head] };
}

function deliver(
  source: Source,
  body: unknown,
  options: { event?: string; delivery?: string; secret?: string; headers?: Record<string, string>; raw?: Buffer } = {},
) {
  const bytes = options.raw ?? Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(source.provider === 'github'
      ? { 'X-GitHub-Event': options.event ?? 'push', 'X-GitHub-Delivery': options.delivery ?? randomUUID() }
      : {}),
    ...(source.provider === 'gitlab'
      ? { 'X-Gitlab-Event': options.event ?? 'Push Hook', 'X-Gitlab-Event-UUID': options.delivery ?? randomUUID() }
      : {}),
    ...(source.provider === 'bitbucket'
      ? { 'X-Event-Key': options.event ?? 'repo:push', 'X-Request-UUID': options.delivery ?? randomUUID() }
      : {}),
    ...(source.provider === 'gitea'
      ? { 'X-Gitea-Event': options.event ?? 'push', 'X-Gitea-Delivery': options.delivery ?? randomUUID() }
      : {}),
    ...(options.secret === '' ? {} : signBody(source.provider, bytes, options.secret ?? SECRET)),
    ...options.headers,
  };
  return receiveWebhook(
    { prisma: test.db.prisma, queue: async () => queue },
    { provider: source.provider, sourceId: source.sourceId, headers, body: bytes },
  );
}

const deployments = (appId: string) =>
  system(test, (tx) =>
    tx.deployment.findMany({
      where: { applicationId: appId },
      orderBy: { startedAt: 'asc' },
      select: { id: true, status: true, commitSha: true, metadata: true },
    }),
  );
const deliveries = (sourceId: string) =>
  system(test, (tx) =>
    tx.webhookDelivery.findMany({ where: { gitSourceId: sourceId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  );
const expectReply = (response: ReceiverResponse, status: number, outcome?: string) => {
  expect(response.status, response.body.message).toBe(status);
  if (outcome) expect(response.body.outcome).toBe(outcome);
};

beforeAll(async () => {
  test = await createTestDatabase();
  queue = await startTestQueue(test);
  owner = await newUser(test);
}, 60_000);

afterAll(async () => {
  await queue?.stop();
  await test?.drop();
});

describe('the webhook receiver refuses what it cannot trust', () => {
  it('answers 404 for an unknown source, a malformed id, or another provider’s URL, and records nothing', async () => {
    const source = await newSource('github');
    const body = Buffer.from(JSON.stringify(githubPush(sha(1), sha(0))));
    const as = (provider: string, sourceId: string) =>
      receiveWebhook(
        { prisma: test.db.prisma, queue: async () => queue },
        { provider, sourceId, headers: signBody('github', body, SECRET), body },
      );
    expectReply(await as('github', randomUUID()), 404);
    expectReply(await as('github', 'not-a-uuid'), 404);
    expectReply(await as('gitlab', source.sourceId), 404);
    expectReply(await as('svn', source.sourceId), 404);
    expect(await deliveries(source.sourceId)).toHaveLength(0);
    expect(await deployments(source.appId)).toHaveLength(0);
  });

  it('refuses unsigned, mis-signed, re-serialized and other-source deliveries with 401; only a record is written', async () => {
    const source = await newSource('github');
    const other = await newSource('github', {}, 'the-other-source-secret-0000000000');
    const push = githubPush(sha(2), sha(1));
    const bytes = Buffer.from(JSON.stringify(push));
    const signature = signBody('github', bytes, SECRET)['X-Hub-Signature-256']!;

    const cases: [string, Promise<ReceiverResponse>][] = [
      ['no signature', deliver(source, push, { secret: '' })],
      ['wrong secret', deliver(source, push, { secret: 'not-the-secret' })],
      [
        'signature of another body',
        deliver(source, githubPush(sha(3), sha(1)), { headers: { 'X-Hub-Signature-256': signature } }),
      ],
      [
        're-serialized JSON',
        deliver(source, push, {
          raw: Buffer.from(JSON.stringify(push, null, 2)),
          headers: { 'X-Hub-Signature-256': signature },
        }),
      ],
      ['another source’s secret', deliver(source, push, { secret: 'the-other-source-secret-0000000000' })],
      ['truncated signature', deliver(source, push, { headers: { 'X-Hub-Signature-256': signature.slice(0, 30) } })],
      ['bare prefix', deliver(source, push, { headers: { 'X-Hub-Signature-256': 'sha256=' } })],
      [
        'sha1 form',
        deliver(source, push, { headers: { 'X-Hub-Signature-256': 'sha1=0123456789012345678901234567890123456789' } }),
      ],
    ];
    for (const [what, response] of cases) {
      const result = await response;
      expect(result.status, what).toBe(401);
      expect(result.body.message, what).not.toContain(SECRET);
    }
    const recorded = await deliveries(source.sourceId);
    expect(recorded).toHaveLength(cases.length);
    expect(
      recorded.every(
        (row) => !row.signatureOk && row.outcome === 'rejected' && row.deploymentId === null && row.reason,
      ),
    ).toBe(true);
    expect(await deployments(source.appId)).toHaveLength(0);
    expect(await deliveries(other.sourceId)).toHaveLength(0);
  });

  it('refuses every delivery while the source has no secret', async () => {
    const source = await newSource('github', {}, null);
    const result = await deliver(source, githubPush(sha(4), sha(3)), { secret: '' });
    expectReply(result, 401);
    expect(result.body.message).toMatch(/no secret/);
    expect(await deployments(source.appId)).toHaveLength(0);
  });

  it('an unsigned delivery cannot take a real delivery’s id first', async () => {
    const source = await newSource('github');
    const id = randomUUID();
    expectReply(await deliver(source, githubPush(sha(5), sha(4)), { delivery: id, secret: 'forged' }), 401);
    expectReply(await deliver(source, githubPush(sha(5), sha(4)), { delivery: id }), 202, 'queued');
    expect(await deployments(source.appId)).toHaveLength(1);
  });

  it('answers 400 for signed malformed JSON and a push whose branch could never be watched; nothing is queued', async () => {
    const source = await newSource('github');
    expectReply(await deliver(source, null, { raw: Buffer.from('{"ref": "refs/heads/main", ') }), 400, 'rejected');
    expectReply(await deliver(source, githubPush(sha(6), sha(5), { ref: 'refs/heads/main;id' })), 400, 'rejected');
    expectReply(
      await deliver(source, githubPush(sha(6), sha(5), { ref: 'refs/heads/--upload-pack=x' })),
      400,
      'rejected',
    );
    expect(await deployments(source.appId)).toHaveLength(0);
    const recorded = await deliveries(source.sourceId);
    expect(recorded.map((row) => [row.signatureOk, row.outcome])).toEqual([
      [true, 'rejected'],
      [true, 'rejected'],
      [true, 'rejected'],
    ]);
  });
});

describe('the webhook receiver decides what a delivery does', () => {
  it('answers a ping 200, ignores other events, other branches, tags (unless asked) and a source with auto-deploy off', async () => {
    const source = await newSource('github');
    expectReply(await deliver(source, fixture('github-ping'), { event: 'ping' }), 200, 'ignored');
    expectReply(await deliver(source, fixture('github-pull-request'), { event: 'pull_request' }), 202, 'ignored');
    const elsewhere = await deliver(source, githubPush(sha(7), sha(6), { ref: 'refs/heads/feature/x' }));
    expectReply(elsewhere, 202, 'ignored');
    expect(elsewhere.body.message).toContain('deploys main');
    expectReply(await deliver(source, githubPush(sha(7), sha(6), { ref: 'refs/tags/v1.0.0' })), 202, 'ignored');
    expect(await deployments(source.appId)).toHaveLength(0);

    const tags = await newSource('github', { deploy_tags: true });
    expectReply(await deliver(tags, githubPush(sha(8), '0'.repeat(40), { ref: 'refs/tags/v1.0.0' })), 202, 'queued');
    const off = await newSource('github', { auto_deploy: false });
    const result = await deliver(off, githubPush(sha(9), sha(8)));
    expectReply(result, 202, 'ignored');
    expect(result.body.message).toContain('auto-deploy is off');
    expect(await deployments(off.appId)).toHaveLength(0);
    const watching = await newSource('github', { branch: 'release' });
    expectReply(await deliver(watching, githubPush(sha(9), sha(8), { ref: 'refs/heads/release' })), 202, 'queued');
  });

  it('queues the pushed commit, processes a replay once, coalesces a burst and never goes back to an older commit', async () => {
    const source = await newSource('github');
    const first = await deliver(source, githubPush(sha(11), sha(10), { message: 'first' }), { delivery: 'd-11' });
    expectReply(first, 202, 'queued');
    let rows = await deployments(source.appId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'pending',
      commitSha: sha(11),
      metadata: expect.objectContaining({ trigger: 'webhook', commit_message: 'first' }),
    });

    // The same delivery again: nothing changes.
    expectReply(await deliver(source, githubPush(sha(11), sha(10)), { delivery: 'd-11' }), 200, 'duplicate');
    expect(await deployments(source.appId)).toHaveLength(1);
    expect(await deliveries(source.sourceId)).toHaveLength(1);

    // Newer pushes move the pending deployment forward instead of queueing builds.
    for (let n = 12; n <= 15; n += 1)
      expectReply(await deliver(source, githubPush(sha(n), sha(n - 1))), 202, 'coalesced');
    rows = await deployments(source.appId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'pending',
      commitSha: sha(15),
      metadata: expect.objectContaining({ coalesced: 4 }),
    });

    // An older commit delivered late (the chain of recorded pushes says so, whatever its timestamp claims).
    const late = await deliver(source, githubPush(sha(13), sha(12), { timestamp: '2030-01-01T00:00:00Z' }));
    expectReply(late, 202, 'stale');
    expect((await deployments(source.appId))[0]!.commitSha).toBe(sha(15));

    // The same commit again under a new delivery id: it is already on its way.
    expectReply(await deliver(source, githubPush(sha(15), sha(14))), 202, 'duplicate');

    // Once the pending one is being built, the next push queues a second deployment (one build at a time).
    await system(
      test,
      (tx) => tx.$executeRaw`UPDATE deployments SET status = 'building' WHERE id = ${rows[0]!.id}::uuid`,
    );
    expectReply(await deliver(source, githubPush(sha(16), sha(15))), 202, 'queued');
    rows = await deployments(source.appId);
    expect(rows.map((row) => [row.status, row.commitSha])).toEqual([
      ['building', sha(15)],
      ['pending', sha(16)],
    ]);
    const audit = await system(test, (tx) =>
      tx.auditLog.findMany({ where: { resourceId: source.appId, action: 'application.deploy' } }),
    );
    expect(audit).toHaveLength(2);
    expect(audit[0]!.details).toMatchObject({ kind: 'webhook', provider: 'github' });
  });

  it('orders pushes without a chain by their commit time', async () => {
    const source = await newSource('github');
    expectReply(
      await deliver(source, githubPush(sha(21), sha(20), { timestamp: '2026-11-28T10:00:05Z' })),
      202,
      'queued',
    );
    const older = await deliver(source, githubPush(sha(31), sha(30), { timestamp: '2026-11-28T10:00:01Z' }));
    expectReply(older, 202, 'stale');
    expectReply(
      await deliver(source, githubPush(sha(41), sha(40), { timestamp: '2026-11-28T10:00:09Z' })),
      202,
      'coalesced',
    );
    expect((await deployments(source.appId)).map((row) => row.commitSha)).toEqual([sha(41)]);
  });

  it('reads pushes in GitLab, Bitbucket and Gitea formats with their own signatures', async () => {
    const watched = { gitlab: 'main', bitbucket: 'main', gitea: 'release/2025.03' };
    for (const provider of ['gitlab', 'bitbucket', 'gitea'] as const) {
      // Each source watches the branch its provider's fixture pushes to.
      const source = await newSource(provider, { branch: watched[provider] });
      const body = fixture(`${provider}-push`);
      const result = await deliver(source, body);
      expectReply(result, 202, 'queued');
      const [row] = await deployments(source.appId);
      expect(row?.commitSha, provider).toMatch(/^[0-9a-f]{40}$/);
      expectReply(await deliver(source, body, { secret: 'wrong-secret' }), 401);
    }
  });
});
