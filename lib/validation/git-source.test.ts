import { describe, expect, it } from 'vitest';

import { encodeKeyset } from './cursor';
import {
  accessTokenProblem,
  deliveryCursorSchema,
  encodeDeliveryCursor,
  redeliverSchema,
  setAccessTokenSchema,
  webhookSettingsSchema,
} from './git-source';

const APP = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const ROW = '9d1c3a2b-7e6f-4a5b-8c9d-0e1f2a3b4c5d';

describe('webhookSettingsSchema', () => {
  it('reads the form: ticked boxes send "on", unticked ones nothing, a blank branch follows the source', () => {
    expect(
      webhookSettingsSchema.parse({ applicationId: APP, autoDeploy: 'on', watchedBranch: ' ', deployTags: undefined }),
    ).toEqual({
      applicationId: APP,
      autoDeploy: true,
      watchedBranch: null,
      deployTags: false,
    });
    expect(
      webhookSettingsSchema.parse({
        applicationId: APP,
        autoDeploy: false,
        watchedBranch: 'release/v2',
        deployTags: true,
      }),
    ).toMatchObject({
      autoDeploy: false,
      watchedBranch: 'release/v2',
      deployTags: true,
    });
  });

  it.each([
    ['an option', '--upload-pack=x', 'characters a branch name cannot use'],
    ['a leading dash', '-x', 'cannot start with -'],
    ['a shell separator', 'main;id', 'characters a branch name cannot use'],
    ['a command substitution', 'main$(id)', 'characters a branch name cannot use'],
    ['a space', 'my branch', 'characters a branch name cannot use'],
    ['a newline', 'main\nid', 'characters a branch name cannot use'],
    ['dot-dot', 'a/../b', 'cannot contain “..”'],
    ['a trailing .lock', 'main.lock', 'cannot end with'],
    ['a trailing slash', 'main/', 'cannot end with'],
    ['a refspec', 'main:refs/heads/x', 'characters a branch name cannot use'],
    ['non-ASCII', 'maín', 'characters a branch name cannot use'],
    ['too long', 'b'.repeat(256), 'at most 255'],
  ])('refuses a watched branch with %s', (_what, watchedBranch, message) => {
    const parsed = webhookSettingsSchema.safeParse({ applicationId: APP, watchedBranch });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.message).join(' ')).toContain(message);
    expect(parsed.error!.issues[0]!.path).toEqual(['watchedBranch']);
  });

  it('refuses a malformed application id', () => {
    expect(webhookSettingsSchema.safeParse({ applicationId: 'x', watchedBranch: 'main' }).success).toBe(false);
  });
});

describe('setAccessTokenSchema', () => {
  it.each([
    ['ghp_' + 'a'.repeat(36)],
    ['glpat-xxxxxxxxxxxxxxxxxxxx'],
    ['x'],
    ['!#$%&()*+,-./:;<=>?@[]^_`{|}~'],
    ['t'.repeat(500)],
  ])('accepts %s', (token) => {
    expect(setAccessTokenSchema.safeParse({ applicationId: APP, token }).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['a space', 'abc def'],
    ['a leading space', ' abc'],
    ['a tab', 'abc\tdef'],
    ['a newline', 'abc\n'],
    ['a carriage return', 'abc\rdef'],
    ['NUL', 'abc\u0000'],
    ['DEL', 'abc\u007f'],
    ['non-ASCII', 'tökén'],
    ['a zero-width space', 'abc\u200bdef'],
    ['501 characters', 'x'.repeat(501)],
  ])('refuses a token with %s', (_what, token) => {
    expect(accessTokenProblem(token)).not.toBeNull();
    expect(setAccessTokenSchema.safeParse({ applicationId: APP, token }).success).toBe(false);
  });

  it('takes an optional user name: blank is the provider’s default, and it has no spaces or colon', () => {
    expect(setAccessTokenSchema.parse({ applicationId: APP, token: 't', username: '' }).username).toBeNull();
    expect(setAccessTokenSchema.parse({ applicationId: APP, token: 't', username: 'deploy-bot' }).username).toBe(
      'deploy-bot',
    );
    for (const username of ['a:b', 'a b', 'a\nb', 'ü', 'u'.repeat(101)]) {
      expect(setAccessTokenSchema.safeParse({ applicationId: APP, token: 't', username }).success, username).toBe(
        false,
      );
    }
  });
});

describe('redeliverSchema', () => {
  it('needs two uuids', () => {
    expect(redeliverSchema.safeParse({ applicationId: APP, deliveryRowId: ROW }).success).toBe(true);
    expect(redeliverSchema.safeParse({ applicationId: APP, deliveryRowId: 'nope' }).success).toBe(false);
  });
});

describe('deliveryCursorSchema', () => {
  it('round-trips a cursor', () => {
    const cursor = { createdAt: '2026-11-28T10:00:00.123456Z', id: ROW };
    expect(deliveryCursorSchema.parse(encodeDeliveryCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64url', 'abc!'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['a millisecond time', encodeKeyset(['2026-11-28T10:00:00.123Z', ROW])],
    ['SQL in the id', encodeKeyset(['2026-11-28T10:00:00.123456Z', "x' OR 1=1 --"])],
    ['too long', 'a'.repeat(201)],
  ])('refuses %s', (_what, value) => {
    const parsed = deliveryCursorSchema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toContain('start again from the newest deliveries');
  });
});
