// Real git against a real server (git daemon, and git http-backend wanting a token, on free ports): one commit
// fetched and checked out; hostile URLs and refs refused before git runs; credentials never in argv, an error or a line.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkout, GitError, redact, refusedRepository } from './checkout';
import { generateDeployKey, tokenCredentials } from './credentials';
import { startGitServer, type GitTestServer } from './test-server';

const TOKEN = 'ghp_Sl1pwayT0kenN3verSh0wn';

let server: GitTestServer;
let root: string;
let url: string;
let first: string;
let head: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'slipway-git-'));
  server = await startGitServer({ token: TOKEN, username: 'x-access-token' });
  url = server.url;
  first = await server.commit({ Dockerfile: 'FROM slipway/busybox:test\n' }, 'first');
  head = await server.commit({ VERSION: '2\n' }, 'second');
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a GitError'),
    (caught: unknown) => caught as GitError,
  );

describe('checkout', () => {
  it('fetches the branch head into a directory and reports its sha', async () => {
    const dir = path.join(root, 'co-1');
    const lines: string[] = [];
    const { commitSha } = await checkout({ repository: url, ref: 'main', dir, onLine: (line) => lines.push(line) });
    expect(commitSha).toBe(head);
    expect(await readFile(path.join(dir, 'VERSION'), 'utf8')).toBe('2\n');
    // Depth 1: the older commit is not there.
    expect(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: dir }).toString().trim()).toBe('1');
  }, 30_000);

  it('says which branch is missing, in a GitError', async () => {
    const error = await failure(checkout({ repository: url, ref: 'mian', dir: path.join(root, 'co-2') }));
    expect(error).toBeInstanceOf(GitError);
    expect(error).toMatchObject({ code: 'not_found', message: `The branch “mian” does not exist in ${url}.` });
  }, 30_000);

  it('fetches an older commit by its sha, and says when a sha is not there', async () => {
    expect(await checkout({ repository: url, ref: first, dir: path.join(root, 'sha-1') })).toEqual({
      commitSha: first,
    });
    expect(existsSync(path.join(root, 'sha-1', 'VERSION'))).toBe(false);
    const missing = 'a'.repeat(40);
    await expect(checkout({ repository: url, ref: missing, dir: path.join(root, 'sha-2') })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining(`The commit ${missing} is not in ${url}`),
    });
  }, 30_000);

  it.each([
    ['ext::sh%20-c%20touch%20/tmp/pwned', 'network'],
    ['file:///etc', 'network'],
    ['/srv/repo.git', 'network'],
    ['--upload-pack=touch /tmp/pwned', 'cannot start with "-"'],
    ['https://example.com/a b', 'spaces'],
  ])('refuses the repository %s before running git', async (repository, message) => {
    expect(refusedRepository(repository)).toContain(message);
    await expect(checkout({ repository, ref: 'main', dir: path.join(root, 'never') })).rejects.toBeInstanceOf(GitError);
    expect(existsSync(path.join(root, 'never'))).toBe(false);
  });

  it.each(['--upload-pack=x', '-b', 'a..b', 'main;reboot', 'main branch', '$(id)', '.hidden', 'x.lock', ''])(
    'refuses the ref %j',
    async (ref) => {
      await expect(checkout({ repository: url, ref, dir: path.join(root, 'never') })).rejects.toMatchObject({
        code: 'refused',
      });
      expect(existsSync(path.join(root, 'never'))).toBe(false);
    },
  );

  it.each(['https://deploy:s3cr3t-token@127.0.0.1:1/acme/app.git', 'ssh://git:s3cr3t-token@127.0.0.1:1/app.git'])(
    'refuses a password in the URL %s (it would be in argv), and never shows it',
    async (repository) => {
      const lines: string[] = [];
      const error = await failure(
        checkout({ repository, ref: 'main', dir: path.join(root, 'co-3'), onLine: (line) => lines.push(line) }),
      );
      expect(error).toMatchObject({ code: 'refused', message: expect.stringContaining('cannot carry a password') });
      expect(`${error.message}\n${lines.join('\n')}`).not.toContain('s3cr3t-token');
      expect(existsSync(path.join(root, 'co-3'))).toBe(false);
    },
  );

  it('scrubs credentials in URLs from any text', () => {
    expect(redact('fatal: https://u:tok@host/x')).toBe('fatal: https://***@host/x');
    expect(refusedRepository('ssh://git@127.0.0.1:22/app.git')).toBeNull();
    expect(refusedRepository('https://127.0.0.1:8443/a@b.git')).toBeNull();
  });

  it('scrubs Authorization headers and named secrets from any text', () => {
    expect(redact('> Authorization: Basic eDp0b2s=\n< HTTP/1.1 401')).toBe('> Authorization: ***\n< HTTP/1.1 401');
    expect(redact('token tok123 and tok123 again', ['tok123'])).toBe('token *** and *** again');
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      checkout({ repository: url, ref: 'main', dir: path.join(root, 'co-4'), signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});

describe('checkout with a token (git http-backend)', () => {
  it('sends the token as a Basic Authorization header and checks out', async () => {
    const lines: string[] = [];
    const seen = server.authorizations.length;
    const dir = path.join(root, 'http-1');
    const { commitSha } = await checkout({
      repository: server.httpUrl,
      ref: 'main',
      dir,
      credentials: tokenCredentials('github', TOKEN),
      onLine: (line) => lines.push(line),
    });
    expect(commitSha).toBe(head);
    expect(await readFile(path.join(dir, 'VERSION'), 'utf8')).toBe('2\n');
    const basic = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    expect(server.authorizations.slice(seen)).toContain(basic);
    expect(lines.join('\n')).not.toContain(TOKEN);
    // Nothing of the token stays in the checkout's configuration either.
    expect(await readFile(path.join(dir, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
  }, 30_000);

  it('fails clearly without the token, saying credentials are needed', async () => {
    const lines: string[] = [];
    const error = await failure(
      checkout({
        repository: server.httpUrl,
        ref: 'main',
        dir: path.join(root, 'http-2'),
        onLine: (line) => lines.push(line),
      }),
    );
    expect(error).toMatchObject({
      code: 'denied',
      message: `The git server asked for credentials for ${server.httpUrl}: connect the provider, or add a token or deploy key.`,
    });
    expect(`${error.message}\n${lines.join('\n')}`).not.toContain(TOKEN);
  }, 30_000);

  it('fails clearly with a wrong token, and shows it nowhere', async () => {
    const wrong = 'ghp_WrongT0kenAlsoSecret';
    const lines: string[] = [];
    const error = await failure(
      checkout({
        repository: server.httpUrl,
        ref: 'main',
        dir: path.join(root, 'http-3'),
        credentials: { kind: 'token', token: wrong },
        onLine: (line) => lines.push(line),
      }),
    );
    expect(error).toMatchObject({ code: 'denied', message: expect.stringContaining('refused the credentials') });
    const shown = `${error.message}\n${lines.join('\n')}`;
    expect(shown).not.toContain(wrong);
    expect(shown).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString('base64'));
  }, 30_000);

  it.each([
    ['git@github.com:acme/app.git', /token works over https only/],
    ['ssh://git@127.0.0.1:1/app.git', /token works over https only/],
    ['git://127.0.0.1:1/app.git', /only sent over https/],
    ['http://example.com/acme/app.git', /only sent over https/],
  ])('refuses a token with %s before running git', async (repository, message) => {
    const dir = path.join(root, 'never');
    const error = await failure(
      checkout({ repository, ref: 'main', dir, credentials: { kind: 'token', token: TOKEN } }),
    );
    expect(error).toMatchObject({ code: 'refused', message: expect.stringMatching(message) });
    expect(error.message).not.toContain(TOKEN);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('checkout with a deploy key', () => {
  it('refuses a deploy key with an https address', async () => {
    const { privateKey } = generateDeployKey('test');
    await expect(
      checkout({
        repository: server.httpUrl,
        ref: 'main',
        dir: path.join(root, 'never'),
        credentials: { kind: 'ssh-key', privateKey },
      }),
    ).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('SSH only') });
  });

  it('hands ssh the key file and removes it afterwards', async () => {
    const { privateKey } = generateDeployKey('test');
    const lines: string[] = [];
    // Nothing listens on port 1: ssh starts with our key (no "Identity file … not accessible") and is refused.
    const error = await failure(
      checkout({
        repository: 'ssh://git@127.0.0.1:1/app.git',
        ref: 'main',
        dir: path.join(root, 'ssh-1'),
        credentials: { kind: 'ssh-key', privateKey },
        onLine: (line) => lines.push(line),
        timeoutMs: 20_000,
      }),
    );
    expect(error).toBeInstanceOf(GitError);
    const output = `${error.message}\n${lines.join('\n')}`;
    expect(output).toMatch(/Connection refused/);
    expect(output).not.toMatch(/not accessible|No such file|syntax error/);
    expect(output).not.toContain('PRIVATE KEY');
    // No key directory left holding this key (others' may exist: tests run in parallel).
    for (const name of (await readdir(os.tmpdir())).filter((entry) => entry.startsWith('slipway-ssh-'))) {
      const key = await readFile(path.join(os.tmpdir(), name, 'id'), 'utf8').catch(() => '');
      expect(key).not.toBe(privateKey);
    }
  }, 30_000);
});
