// Real git against a real server (git daemon on a free port): one commit fetched and checked out; hostile URLs and
// refs refused before git runs; credentials never in an error.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout, GitError, redact, refusedRepository } from './checkout';
import { startGitServer, type GitTestServer } from './test-server';

let server: GitTestServer;
let root: string;
let url: string;
let head: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'slipway-git-'));
  server = await startGitServer();
  url = server.url;
  await server.commit({ Dockerfile: 'FROM slipway/busybox:test\n' }, 'first');
  head = await server.commit({ VERSION: '2\n' }, 'second');
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

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
    await expect(checkout({ repository: url, ref: 'mian', dir: path.join(root, 'co-2') })).rejects.toMatchObject({ code: 'failed' });
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
  });

  it.each(['--upload-pack=x', 'a..b', 'main;reboot', 'main branch'])('refuses the ref %s', async (ref) => {
    await expect(checkout({ repository: url, ref, dir: path.join(root, 'never') })).rejects.toMatchObject({ code: 'refused' });
  });

  it('never puts credentials in an error or a line', async () => {
    const lines: string[] = [];
    const error = await checkout({
      repository: 'https://deploy:s3cr3t-token@127.0.0.1:1/acme/app.git',
      ref: 'main',
      dir: path.join(root, 'co-3'),
      onLine: (line) => lines.push(line),
      timeoutMs: 20_000,
    }).catch((caught: unknown) => caught as GitError);
    expect(error).toBeInstanceOf(GitError);
    expect(`${(error as Error).message}\n${lines.join('\n')}`).not.toContain('s3cr3t-token');
    expect(redact('fatal: https://u:tok@host/x')).toBe('fatal: https://***@host/x');
  }, 30_000);

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(checkout({ repository: url, ref: 'main', dir: path.join(root, 'co-4'), signal: controller.signal })).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});
