import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { GIT_PROVIDERS } from '@/lib/validation/application';

import { PROVIDERS, signBody, verifySignature, type Provider } from './signature';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const hex = (body: Uint8Array, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

const SECRET = 'whs_3vQ9tLx2mR7kP4nB8cJ6yD1fH5gW0zEa';
const OTHER_APP_SECRET = 'whs_Ht6pN2qX8rV4mK9sL1bC7dF3gJ5wY0zAe';
const BODIES: Record<Provider, Buffer> = {
  github: fixture('github-push.json'),
  gitlab: fixture('gitlab-push.json'),
  bitbucket: fixture('bitbucket-push.json'),
  gitea: fixture('gitea-push.json'),
};

describe("GitHub's documented test vector (Validating webhook deliveries)", () => {
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');
  const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('verifies the published signature', () => {
    expect(verifySignature('github', { 'X-Hub-Signature-256': header }, body, secret)).toEqual({ ok: true });
  });

  it('signs to the published signature', () => {
    expect(signBody('github', body, secret)).toEqual({ 'X-Hub-Signature-256': header });
  });

  it('refuses it under another secret or for another body', () => {
    expect(verifySignature('github', { 'X-Hub-Signature-256': header }, body, "It's a secret to everybody").ok).toBe(
      false,
    );
    expect(verifySignature('github', { 'X-Hub-Signature-256': header }, Buffer.from('Hello, World?'), secret).ok).toBe(
      false,
    );
  });
});

describe('each provider: a body signed as the provider signs it verifies', () => {
  it.each(PROVIDERS)('%s, as a plain record and as fetch Headers', (provider) => {
    const body = BODIES[provider];
    const headers = signBody(provider, body, SECRET);
    expect(verifySignature(provider, headers, body, SECRET)).toEqual({ ok: true });
    expect(verifySignature(provider, new Headers(headers), body, SECRET)).toEqual({ ok: true });
  });

  it('reads header names case-insensitively from a record (Node lowercases them)', () => {
    const body = BODIES.github;
    expect(verifySignature('github', { 'x-hub-signature-256': `sha256=${hex(body, SECRET)}` }, body, SECRET)).toEqual({
      ok: true,
    });
  });

  it('signs each provider with its own header', () => {
    const body = BODIES.github;
    const digest = hex(body, SECRET);
    expect(signBody('github', body, SECRET)).toEqual({ 'X-Hub-Signature-256': `sha256=${digest}` });
    expect(signBody('bitbucket', body, SECRET)).toEqual({ 'X-Hub-Signature': `sha256=${digest}` });
    expect(signBody('gitea', body, SECRET)).toEqual({
      'X-Gitea-Signature': digest,
      'X-Hub-Signature-256': `sha256=${digest}`,
    });
    expect(signBody('gitlab', body, SECRET)).toEqual({ 'X-Gitlab-Token': SECRET });
  });

  it('PROVIDERS is the same list the application forms offer', () => {
    expect([...PROVIDERS]).toEqual([...GIT_PROVIDERS]);
  });
});

// Hostile deliveries to the HMAC providers, one expectation each. `header` is the provider's signature header.
const HMAC_PROVIDERS = [
  ['github', 'X-Hub-Signature-256'],
  ['bitbucket', 'X-Hub-Signature'],
] as const;

describe.each(HMAC_PROVIDERS)('%s: hostile deliveries are refused with a reason', (provider, header) => {
  const body = BODIES[provider];
  const good = `sha256=${hex(body, SECRET)}`;
  const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
  const cases: [label: string, headers: Record<string, string>, body: Buffer, secret: string, reason: RegExp][] = [
    ['no signature header', {}, body, SECRET, new RegExp(`^missing ${header} header`)],
    ['an empty signature header', { [header]: '' }, body, SECRET, new RegExp(`^missing ${header} header`)],
    [
      'signed with a wrong secret',
      { [header]: `sha256=${hex(body, 'wrong')}` },
      body,
      SECRET,
      /^signature does not match/,
    ],
    [
      "signed with another application's secret",
      { [header]: `sha256=${hex(body, OTHER_APP_SECRET)}` },
      body,
      SECRET,
      /^signature does not match/,
    ],
    [
      'a valid signature over a different body',
      { [header]: `sha256=${hex(BODIES.gitea, SECRET)}` },
      body,
      SECRET,
      /^signature does not match/,
    ],
    [
      'the JSON re-serialized (whitespace changed)',
      { [header]: good },
      reserialized,
      SECRET,
      /^signature does not match/,
    ],
    [
      'one byte appended to the body',
      { [header]: good },
      Buffer.concat([body, Buffer.from('\n')]),
      SECRET,
      /^signature does not match/,
    ],
    [
      'sha256= alone',
      { [header]: 'sha256=' },
      body,
      SECRET,
      /^malformed .* expected sha256= followed by 64 hex digits$/,
    ],
    ['truncated to 63 hex digits', { [header]: good.slice(0, -1) }, body, SECRET, /^malformed /],
    ['truncated to 8 hex digits', { [header]: good.slice(0, 15) }, body, SECRET, /^malformed /],
    ['65 hex digits', { [header]: `${good}0` }, body, SECRET, /^malformed /],
    [
      'a sha1= signature',
      { [header]: `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}` },
      body,
      SECRET,
      /signed with sha1, which is not accepted/,
    ],
    [
      'a sha512= signature',
      { [header]: `sha512=${createHmac('sha512', SECRET).update(body).digest('hex')}` },
      body,
      SECRET,
      /signed with sha512/,
    ],
    ['the bare hex without sha256=', { [header]: hex(body, SECRET) }, body, SECRET, /^malformed /],
    ['non-hex digits', { [header]: `sha256=${'g'.repeat(64)}` }, body, SECRET, /^malformed /],
    ['an uppercase SHA256= prefix', { [header]: good.replace('sha256', 'SHA256') }, body, SECRET, /^malformed /],
    ['a space after sha256=', { [header]: good.replace('=', '= ') }, body, SECRET, /^malformed /],
    ['a space before =', { [header]: good.replace('=', ' =') }, body, SECRET, /^malformed /],
    ['two signatures joined (header sent twice)', { [header]: `${good}, ${good}` }, body, SECRET, /^malformed /],
    [
      'base64 instead of hex',
      { [header]: `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}` },
      body,
      SECRET,
      /^malformed /,
    ],
    ['an empty application secret', { [header]: `sha256=${hex(body, '')}` }, body, '', /no webhook secret/],
  ];
  it.each(cases)('%s', (_label, headers, sentBody, secret, reason) => {
    const result = verifySignature(provider, headers, sentBody, secret);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('accepts uppercase hex digits and optional whitespace around the value', () => {
    expect(verifySignature(provider, { [header]: `sha256=${hex(body, SECRET).toUpperCase()}` }, body, SECRET)).toEqual({
      ok: true,
    });
    expect(verifySignature(provider, { [header]: ` ${good}\t` }, body, SECRET)).toEqual({ ok: true });
    expect(verifySignature(provider, new Headers({ [header]: `  ${good}  ` }), body, SECRET)).toEqual({ ok: true });
  });
});

describe('github: only the SHA-256 header counts', () => {
  const body = BODIES.github;
  it('refuses a delivery that carries only the SHA-1 X-Hub-Signature, and says so', () => {
    const sha1 = `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`;
    const result = verifySignature('github', { 'X-Hub-Signature': sha1 }, body, SECRET);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringContaining('SHA-1 X-Hub-Signature header alone is not accepted'),
    });
  });

  it("refuses Bitbucket's header at the GitHub endpoint and GitHub's at the Bitbucket endpoint", () => {
    expect(verifySignature('github', signBody('bitbucket', body, SECRET), body, SECRET).ok).toBe(false);
    expect(verifySignature('bitbucket', signBody('github', body, SECRET), body, SECRET).ok).toBe(false);
  });
});

describe('gitea: X-Gitea-Signature first, X-Hub-Signature-256 as the fallback', () => {
  const body = BODIES.gitea;
  const digest = hex(body, SECRET);
  const cases: [label: string, headers: Record<string, string>, expected: RegExp | 'ok'][] = [
    ['X-Gitea-Signature alone', { 'X-Gitea-Signature': digest }, 'ok'],
    ['X-Hub-Signature-256 alone (sha256= form)', { 'X-Hub-Signature-256': `sha256=${digest}` }, 'ok'],
    [
      'a bad X-Gitea-Signature is not rescued by a good X-Hub-Signature-256',
      { 'X-Gitea-Signature': hex(body, 'wrong'), 'X-Hub-Signature-256': `sha256=${digest}` },
      /^signature does not match/,
    ],
    [
      'no signature headers',
      {},
      /^missing X-Gitea-Signature header \(Gitea signs only when the webhook has a secret\)/,
    ],
    [
      'the empty headers Gitea sends for a webhook without a secret',
      { 'X-Gitea-Signature': '', 'X-Hub-Signature-256': 'sha256=' },
      /^missing X-Gitea-Signature/,
    ],
    [
      'sha256= prefix in X-Gitea-Signature',
      { 'X-Gitea-Signature': `sha256=${digest}` },
      /^malformed X-Gitea-Signature signature: expected 64 hex digits$/,
    ],
    ['truncated X-Gitea-Signature', { 'X-Gitea-Signature': digest.slice(0, 40) }, /^malformed X-Gitea-Signature/],
    ['signed with a wrong secret', { 'X-Gitea-Signature': hex(body, OTHER_APP_SECRET) }, /^signature does not match/],
    [
      'a sha1= fallback',
      { 'X-Hub-Signature-256': `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}` },
      /signed with sha1/,
    ],
  ];
  it.each(cases)('%s', (_label, headers, expected) => {
    const result = verifySignature('gitea', headers, body, SECRET);
    if (expected === 'ok') expect(result).toEqual({ ok: true });
    else expect(result.ok ? '' : result.reason).toMatch(expected);
  });
});

describe('gitlab: the shared token, compared in constant time', () => {
  const body = BODIES.gitlab;
  const cases: [label: string, headers: Record<string, string>, secret: string, expected: RegExp | 'ok'][] = [
    ['the right token', { 'X-Gitlab-Token': SECRET }, SECRET, 'ok'],
    ['no token header', {}, SECRET, /^missing X-Gitlab-Token header/],
    ["another application's token", { 'X-Gitlab-Token': OTHER_APP_SECRET }, SECRET, /^X-Gitlab-Token does not match/],
    [
      'a prefix of the token (different length, no throw)',
      { 'X-Gitlab-Token': SECRET.slice(0, 5) },
      SECRET,
      /^X-Gitlab-Token does not match/,
    ],
    [
      'the token with a character appended',
      { 'X-Gitlab-Token': `${SECRET}x` },
      SECRET,
      /^X-Gitlab-Token does not match/,
    ],
    ['a 10 KB token', { 'X-Gitlab-Token': 'a'.repeat(10_240) }, SECRET, /^X-Gitlab-Token does not match/],
    ['the token in another case', { 'X-Gitlab-Token': SECRET.toUpperCase() }, SECRET, /^X-Gitlab-Token does not match/],
    [
      'an HMAC instead of the token',
      { 'X-Hub-Signature-256': `sha256=${hex(body, SECRET)}` },
      SECRET,
      /^missing X-Gitlab-Token/,
    ],
    ['an empty token against an empty secret', { 'X-Gitlab-Token': '' }, '', /no webhook secret/],
  ];
  it.each(cases)('%s', (_label, headers, secret, expected) => {
    const result = verifySignature('gitlab', headers, body, secret);
    if (expected === 'ok') expect(result).toEqual({ ok: true });
    else expect(result.ok ? '' : result.reason).toMatch(expected);
  });

  it('does not depend on the body (GitLab does not sign it)', () => {
    expect(verifySignature('gitlab', { 'X-Gitlab-Token': SECRET }, Buffer.from('anything'), SECRET)).toEqual({
      ok: true,
    });
  });
});

describe('reasons', () => {
  it('never contain the secret or what was sent in the authentication header', () => {
    const sent = [
      'sha256=',
      `sha256=${SECRET}`,
      SECRET,
      `${SECRET}x`,
      `sha1=${SECRET}`,
      `sha256=${'0'.repeat(64)}`,
      `md5=${SECRET}`,
    ];
    for (const provider of PROVIDERS) {
      for (const value of sent) {
        for (const name of ['X-Hub-Signature-256', 'X-Hub-Signature', 'X-Gitea-Signature', 'X-Gitlab-Token']) {
          const result = verifySignature(provider, { [name]: value }, BODIES[provider], `${SECRET}-app`);
          if (result.ok) continue;
          expect(result.reason).not.toContain(SECRET);
          expect(result.reason).not.toContain('0'.repeat(64));
        }
      }
    }
  });

  it('refuses a provider it does not know instead of throwing', () => {
    expect(verifySignature('svn' as Provider, {}, BODIES.github, SECRET)).toEqual({
      ok: false,
      reason: expect.stringContaining('unknown git provider'),
    });
  });
});
