import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { deliveryId, eventName, parseDelivery, type DeliveryEvent } from './events';
import type { Provider } from './headers';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const json = (name: string): Record<string, unknown> => JSON.parse(fixture(name).toString('utf8'));
const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const github = (event: string, body: Uint8Array) => parseDelivery('github', { 'X-GitHub-Event': event }, body);
const reasonOf = (result: DeliveryEvent): string =>
  result.kind === 'invalid' || result.kind === 'other' ? result.reason : '';

describe('real payloads from each provider', () => {
  it('GitHub push to a branch: the head commit', () => {
    expect(github('push', fixture('github-push.json'))).toEqual({
      kind: 'push',
      ref: 'refs/heads/main',
      branch: 'main',
      tag: null,
      commitSha: 'b4b611ab9e64162122e33ed85b9126b261416db2',
      before: 'c984b1c068282b986b658130a36c37b7875de8d2',
      message:
        'Log the gateway request id with every capture failure\n\nSupport asked for it to match tickets to gateway logs.',
      author: 'Mara Okafor',
      timestamp: '2025-03-05T10:41:02.000Z',
      deleted: false,
    });
  });

  it('GitHub annotated tag: the tagged commit, not the tag object', () => {
    expect(github('push', fixture('github-push-tag.json'))).toMatchObject({
      kind: 'push',
      ref: 'refs/tags/v1.4.0',
      branch: null,
      tag: 'v1.4.0',
      commitSha: 'b4b611ab9e64162122e33ed85b9126b261416db2',
      before: null,
      deleted: false,
    });
  });

  it('GitHub branch deletion: no commit to deploy', () => {
    expect(github('push', fixture('github-push-delete.json'))).toEqual({
      kind: 'push',
      ref: 'refs/heads/feature/checkout-retry',
      branch: 'feature/checkout-retry',
      tag: null,
      commitSha: null,
      before: '8ef51e367ce3bf3769016079bbc1c9ac428df269',
      message: null,
      author: null,
      timestamp: null,
      deleted: true,
    });
  });

  it('GitHub ping and other events', () => {
    expect(github('ping', fixture('github-ping.json'))).toEqual({ kind: 'ping' });
    expect(github('pull_request', fixture('github-pull-request.json'))).toEqual({
      kind: 'other',
      event: 'pull_request',
      reason: 'pull_request events are not deployed: only pushes are',
    });
  });

  it('GitLab push: checkout_sha and its commit from the list', () => {
    expect(parseDelivery('gitlab', { 'X-Gitlab-Event': 'Push Hook' }, fixture('gitlab-push.json'))).toEqual({
      kind: 'push',
      ref: 'refs/heads/main',
      branch: 'main',
      tag: null,
      commitSha: 'b0ae1b01d8a2ce3313036968f9cbb1d5dcc484c4',
      before: '87119e8a41949d63166768d10c0f34d8e94ade40',
      message: 'Cache delivery estimates for five minutes',
      author: 'Jonas Lindqvist',
      timestamp: '2025-03-04T15:52:40.000Z',
      deleted: false,
    });
  });

  it('GitLab tag push: checkout_sha is the commit, after is the tag object', () => {
    expect(parseDelivery('gitlab', { 'X-Gitlab-Event': 'Tag Push Hook' }, fixture('gitlab-tag-push.json'))).toEqual({
      kind: 'push',
      ref: 'refs/tags/v2.0.0',
      branch: null,
      tag: 'v2.0.0',
      commitSha: '587eaa2e38e721f9a6f2dcdf8babac30867c067a',
      before: null,
      message: 'Bump version to 2.0.0',
      author: 'Jonas Lindqvist',
      timestamp: '2025-03-06T09:05:13.000Z',
      deleted: false,
    });
  });

  it('GitLab branch deletion and other hooks', () => {
    const body = {
      ...json('gitlab-push.json'),
      after: '0'.repeat(40),
      checkout_sha: null,
      commits: [],
      total_commits_count: 0,
    };
    expect(parseDelivery('gitlab', { 'X-Gitlab-Event': 'Push Hook' }, bytes(body))).toMatchObject({
      kind: 'push',
      branch: 'main',
      commitSha: null,
      deleted: true,
    });
    expect(parseDelivery('gitlab', { 'X-Gitlab-Event': 'Merge Request Hook' }, bytes({}))).toMatchObject({
      kind: 'other',
      event: 'Merge Request Hook',
    });
  });

  it('Bitbucket repo:push: the new ref of the change', () => {
    expect(parseDelivery('bitbucket', { 'X-Event-Key': 'repo:push' }, fixture('bitbucket-push.json'))).toEqual({
      kind: 'push',
      ref: 'refs/heads/main',
      branch: 'main',
      tag: null,
      commitSha: '9311acfffadb38e58e2fe8fbc6d7146daebf86e7',
      before: '212394469f53147739995c127e583e4c2aa0a35f',
      message: 'Back off for 30 s when the timetable API rate-limits us',
      author: 'Priya Raman',
      timestamp: '2025-03-05T09:31:18.000Z',
      deleted: false,
    });
  });

  it('Bitbucket branch deletion, tag, several changes, ping and other events', () => {
    const payload = json('bitbucket-push.json') as { push: { changes: Record<string, unknown>[] } };
    const change = payload.push.changes[0]!;
    const withChanges = (...changes: Record<string, unknown>[]) => bytes({ ...payload, push: { changes } });
    const push = (body: Buffer) => parseDelivery('bitbucket', { 'X-Event-Key': 'repo:push' }, body);

    expect(push(withChanges({ ...change, new: null, closed: true }))).toMatchObject({
      kind: 'push',
      branch: 'main',
      commitSha: null,
      before: '212394469f53147739995c127e583e4c2aa0a35f',
      message: null,
      deleted: true,
    });
    const tag = { ...(change.new as object), type: 'tag', name: 'v3.1.0' };
    expect(push(withChanges({ ...change, old: null, new: tag, created: true }))).toMatchObject({
      kind: 'push',
      ref: 'refs/tags/v3.1.0',
      tag: 'v3.1.0',
      before: null,
    });
    const other = { ...(change.new as object), name: 'staging' };
    expect(push(withChanges({ ...change, new: other }, change))).toMatchObject({ kind: 'push', branch: 'main' });
    expect(push(withChanges())).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('push.changes') });
    expect(parseDelivery('bitbucket', { 'X-Event-Key': 'diagnostics:ping' }, bytes({ test: true }))).toEqual({
      kind: 'ping',
    });
    expect(parseDelivery('bitbucket', { 'X-Event-Key': 'pullrequest:created' }, bytes({}))).toMatchObject({
      kind: 'other',
      event: 'pullrequest:created',
    });
  });

  it('Gitea push: head_commit, with the commit list as the fallback', () => {
    const expected = {
      kind: 'push',
      ref: 'refs/heads/release/2025.03',
      branch: 'release/2025.03',
      tag: null,
      commitSha: '5b3e2c8f06e9960401f1016ff263dfe0a32b38ea',
      before: 'afc8477ceb2539e3b62886b9832e2a49209e12a4',
      message: 'Round VAT per line instead of per invoice',
      author: 'Tomás Ferreira',
      timestamp: '2025-03-05T20:03:44.000Z',
      deleted: false,
    };
    expect(parseDelivery('gitea', { 'X-Gitea-Event': 'push' }, fixture('gitea-push.json'))).toEqual(expected);
    const older = { ...json('gitea-push.json'), head_commit: undefined };
    expect(parseDelivery('gitea', { 'X-Gitea-Event': 'push' }, bytes(older))).toEqual(expected);
    expect(parseDelivery('gitea', { 'X-Gitea-Event': 'delete' }, bytes({}))).toMatchObject({
      kind: 'other',
      event: 'delete',
    });
  });
});

describe('hostile or broken pushes are invalid, never thrown', () => {
  const push = json('github-push.json');
  const withRef = (ref: unknown) => bytes({ ...push, ref });
  const cases: [label: string, body: Buffer, reason: RegExp][] = [
    ['malformed JSON', bytes('{"ref": "refs/heads/main",'), /not valid JSON/],
    ['an empty body', Buffer.alloc(0), /not valid JSON/],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
    ['a JSON array', bytes('[]'), /malformed field: body/],
    ['JSON null', bytes('null'), /malformed field: body/],
    ['missing ref', bytes({ ...push, ref: undefined }), /field: ref/],
    ['a ref that is a number', withRef(42), /field: ref/],
    ['a 1000-character ref', withRef(`refs/heads/${'a'.repeat(1000)}`), /field: ref/],
    ['missing after', bytes({ ...push, after: undefined }), /field: after/],
    [
      'a 7-digit short sha',
      bytes({ ...push, after: 'b4b611a' }),
      /field: after \(expected a commit sha of 40 hex digits\)/,
    ],
    ['a 64-digit sha', bytes({ ...push, after: 'a'.repeat(64) }), /field: after/],
    ['a sha with a non-hex digit', bytes({ ...push, before: `${'a'.repeat(39)}z` }), /field: before/],
    [
      'a head_commit whose id is not a sha',
      bytes({ ...push, head_commit: { id: '$(id)', message: 'x' } }),
      /field: head_commit.id/,
    ],
    ['a branch named main;id', withRef('refs/heads/main;id'), /^branch name not allowed: /],
    ['a branch named --upload-pack=x', withRef('refs/heads/--upload-pack=x'), /^branch name not allowed: /],
    [
      'a branch named --force (an option)',
      withRef('refs/heads/--force'),
      /^branch name not allowed: .*cannot start with -/,
    ],
    ['a branch named -', withRef('refs/heads/-'), /^branch name not allowed/],
    ['a branch with $(…)', withRef('refs/heads/$(touch x)'), /^branch name not allowed/],
    ['a branch with a backtick', withRef('refs/heads/a`id`'), /^branch name not allowed/],
    ['a branch with a space', withRef('refs/heads/feature x'), /^branch name not allowed/],
    ['a branch with a newline', withRef('refs/heads/main\nid'), /^branch name not allowed/],
    ['a branch with ..', withRef('refs/heads/a/../b'), /^branch name not allowed: .*“\.\.”/],
    ['an empty branch name', withRef('refs/heads/'), /^branch name not allowed/],
    ['a non-ASCII branch', withRef('refs/heads/mаin'), /^branch name not allowed/],
    ['a tag named -x', withRef('refs/tags/-x'), /^tag name not allowed/],
    ['a tag with a pipe', withRef('refs/tags/v1|sh'), /^tag name not allowed/],
  ];
  it.each(cases)('%s', (_label, body, reason) => {
    const result = github('push', body);
    expect(result.kind).toBe('invalid');
    expect(reasonOf(result)).toMatch(reason);
  });

  it('a push to a ref that is neither a branch nor a tag is not deployed', () => {
    expect(github('push', withRef('refs/pull/214/head'))).toMatchObject({ kind: 'other', event: 'push' });
    expect(github('push', withRef('main'))).toMatchObject({ kind: 'other', event: 'push' });
  });

  it('a form-encoded delivery asks for application/json', () => {
    const result = parseDelivery(
      'github',
      { 'X-GitHub-Event': 'push', 'Content-Type': 'application/x-www-form-urlencoded' },
      bytes(`payload=${encodeURIComponent(JSON.stringify(push))}`),
    );
    expect(result).toEqual({
      kind: 'invalid',
      reason: 'the GitHub webhook sends form data: set its content type to application/json',
    });
  });

  it('deeply nested JSON is refused without throwing', () => {
    const deep = bytes(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    let result: DeliveryEvent | undefined;
    expect(() => (result = github('push', deep))).not.toThrow();
    expect(result?.kind).toBe('invalid');
  });

  it('branch names that look like shell commands are data: refused, and nothing runs', () => {
    const canary = join(tmpdir(), `slipway-webhook-canary-${process.pid}-${Date.now()}`);
    for (const name of [
      `main;touch ${canary}`,
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `main&&touch ${canary}`,
      `main|touch ${canary}`,
    ]) {
      expect(github('push', withRef(`refs/heads/${name}`)).kind).toBe('invalid');
    }
    expect(existsSync(canary)).toBe(false);
  });
});

describe('display fields are bounded and never make a push invalid', () => {
  const push = json('github-push.json');
  const withHead = (head: Record<string, unknown>) =>
    bytes({ ...push, head_commit: { ...(push.head_commit as object), ...head } });

  it('clips a huge message to 4000 characters and drops NUL', () => {
    const result = github('push', withHead({ message: `fix\u0000 ${'x'.repeat(100_000)}` }));
    expect(result.kind === 'push' && result.message?.length).toBe(4000);
    expect(result.kind === 'push' && result.message?.startsWith('fix x')).toBe(true);
  });

  it('does not split an emoji at the cut', () => {
    const result = github('push', withHead({ message: `${'x'.repeat(3999)}😀` }));
    expect(result.kind === 'push' && result.message).toBe('x'.repeat(3999));
  });

  it('reads a wrong-typed message, author or timestamp as null', () => {
    expect(github('push', withHead({ message: 42, author: 'Mara', timestamp: 'yesterday' }))).toMatchObject({
      kind: 'push',
      commitSha: 'b4b611ab9e64162122e33ed85b9126b261416db2',
      message: null,
      author: null,
      timestamp: null,
    });
  });

  it('lowercases an uppercase sha', () => {
    const upper = bytes({ ...push, after: String(push.after).toUpperCase(), head_commit: null, commits: [] });
    expect(github('push', upper)).toMatchObject({
      kind: 'push',
      commitSha: 'b4b611ab9e64162122e33ed85b9126b261416db2',
      message: null,
    });
  });
});

describe('event names', () => {
  const cases: [provider: Provider, headers: Record<string, string>, expected: string | null][] = [
    ['github', { 'X-GitHub-Event': 'push' }, 'push'],
    ['gitlab', { 'X-Gitlab-Event': 'Push Hook' }, 'Push Hook'],
    ['bitbucket', { 'X-Event-Key': 'repo:push' }, 'repo:push'],
    ['gitea', { 'X-Gitea-Event': 'push' }, 'push'],
    ['gitea', { 'X-GitHub-Event': 'push' }, null],
    ['github', {}, null],
    ['github', { 'X-GitHub-Event': 'push\r\nX-Admin: 1' }, null],
    ['github', { 'X-GitHub-Event': 'p'.repeat(101) }, null],
    ['github', { 'X-GitHub-Event': '<script>' }, null],
  ];
  it.each(cases)('%s %j → %s', (provider, headers, expected) => {
    expect(eventName(provider, headers)).toBe(expected);
  });

  it('a missing event header is invalid and names the header', () => {
    expect(parseDelivery('bitbucket', {}, fixture('bitbucket-push.json'))).toEqual({
      kind: 'invalid',
      reason: 'missing or unreadable X-Event-Key header: is this a Bitbucket webhook delivery?',
    });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'an event named %s is just another event',
    (event) => {
      expect(github(event, fixture('github-push.json'))).toMatchObject({ kind: 'other', event });
    },
  );
});

describe('delivery ids', () => {
  const uuid = '8f222d94-460a-4593-8f99-15bfe5261c70';
  const cases: [label: string, provider: Provider, headers: Record<string, string>, expected: string | null][] = [
    ['GitHub', 'github', { 'X-GitHub-Delivery': uuid }, uuid],
    ['Gitea', 'gitea', { 'X-Gitea-Delivery': uuid }, uuid],
    ['Bitbucket X-Request-UUID', 'bitbucket', { 'X-Request-UUID': uuid }, uuid],
    ['Bitbucket braces removed', 'bitbucket', { 'X-Request-UUID': `{${uuid}}` }, uuid],
    ['Bitbucket X-Hook-UUID names the hook, not the delivery', 'bitbucket', { 'X-Hook-UUID': uuid }, null],
    [
      'GitLab Idempotency-Key first',
      'gitlab',
      { 'Idempotency-Key': uuid, 'X-Gitlab-Event-UUID': 'event-uuid', 'X-Gitlab-Webhook-UUID': 'hook-uuid' },
      uuid,
    ],
    [
      'GitLab X-Gitlab-Event-UUID before 17.4',
      'gitlab',
      { 'X-Gitlab-Event-UUID': uuid, 'X-Gitlab-Webhook-UUID': 'hook-uuid' },
      uuid,
    ],
    ['GitLab X-Gitlab-Webhook-UUID last', 'gitlab', { 'X-Gitlab-Webhook-UUID': uuid }, uuid],
    ["another provider's header", 'github', { 'X-Gitea-Delivery': uuid }, null],
    ['missing', 'github', {}, null],
    ['200 characters', 'github', { 'X-GitHub-Delivery': 'a'.repeat(200) }, 'a'.repeat(200)],
    ['201 characters (refused, not cut)', 'github', { 'X-GitHub-Delivery': 'a'.repeat(201) }, null],
    ['a slash', 'github', { 'X-GitHub-Delivery': '../../etc/passwd' }, null],
    ['a space', 'github', { 'X-GitHub-Delivery': 'a b' }, null],
    ['markup', 'github', { 'X-GitHub-Delivery': '<img src=x>' }, null],
    ['a quote', 'github', { 'X-GitHub-Delivery': "a'--" }, null],
    ['colons, dots and underscores', 'github', { 'X-GitHub-Delivery': 'gh:abc_1.2-3' }, 'gh:abc_1.2-3'],
  ];
  it.each(cases)('%s', (_label, provider, headers, expected) => {
    expect(deliveryId(provider, headers)).toBe(expected);
  });

  it('reads fetch Headers too', () => {
    expect(deliveryId('github', new Headers({ 'x-github-delivery': uuid }))).toBe(uuid);
  });
});
