// lsRemote against a real server over git:// (git daemon) and http:// (git http-backend wanting a token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tokenCredentials } from './credentials';
import { lsRemote } from './remote';
import { GitError } from './run';
import { startGitServer, type GitTestServer } from './test-server';

const TOKEN = 'glpat-Sl1pwayRem0teT0ken';

// git ls-remote's pattern refs/heads/main also matches this branch (it ends in the pattern), and lists it first.
const LOOKALIKE = 'feature/refs/heads/main';

let server: GitTestServer;
let lookalike: string;

beforeAll(async () => {
  server = await startGitServer({ token: TOKEN });
  lookalike = await server.commit({ OTHER: 'x\n' }, 'other', LOOKALIKE);
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a GitError'),
    (caught: unknown) => caught as GitError,
  );

describe('lsRemote', () => {
  it('returns the latest commit of the branch, over git:// and over http with a token', async () => {
    const first = await server.commit({ VERSION: '1\n' }, 'one');
    expect(await lsRemote({ repository: server.url, branch: 'main' })).toBe(first);
    const second = await server.commit({ VERSION: '2\n' }, 'two');
    expect(second).not.toBe(first);
    expect(await lsRemote({ repository: server.url, branch: 'main' })).toBe(second);
    expect(
      await lsRemote({ repository: server.httpUrl, branch: 'main', credentials: tokenCredentials('gitlab', TOKEN) }),
    ).toBe(second);
  }, 30_000);

  it('matches the branch exactly, not a branch whose name ends the same way', async () => {
    const main = await server.commit({ VERSION: '3\n' }, 'three');
    expect(main).not.toBe(lookalike);
    expect(await lsRemote({ repository: server.url, branch: 'main' })).toBe(main);
    expect(await lsRemote({ repository: server.url, branch: LOOKALIKE })).toBe(lookalike);
  }, 30_000);

  it('says the branch does not exist, and which ones do', async () => {
    for (const repository of [server.url, server.httpUrl]) {
      const error = await failure(
        lsRemote({
          repository,
          branch: 'mian',
          credentials: repository === server.httpUrl ? tokenCredentials('github', TOKEN) : null,
        }),
      );
      expect(error).toBeInstanceOf(GitError);
      expect(error.code).toBe('not_found');
      expect(error.message).toBe(
        `The branch “mian” does not exist in ${repository}. Branches: feature/refs/heads/main, main.`,
      );
    }
  }, 30_000);

  it('fails clearly over http without the token, or with a wrong one, showing neither', async () => {
    const without = await failure(lsRemote({ repository: server.httpUrl, branch: 'main' }));
    expect(without).toMatchObject({ code: 'denied', message: expect.stringContaining('asked for credentials') });
    const wrong = await failure(
      lsRemote({
        repository: server.httpUrl,
        branch: 'main',
        credentials: { kind: 'token', token: 'wrong-T0ken-value' },
      }),
    );
    expect(wrong).toMatchObject({ code: 'denied', message: expect.stringContaining('refused the credentials') });
    expect(`${without.message}${wrong.message}`).not.toMatch(/T0ken/);
  }, 30_000);

  it.each(['--upload-pack=x', 'main;id', '-h', 'a..b', '../main', 'main branch', '$(id)', 'main.lock', ''])(
    'refuses the branch %j before running git',
    async (branch) => {
      await expect(lsRemote({ repository: server.url, branch })).rejects.toMatchObject({ code: 'refused' });
    },
  );

  it.each(['ext::sh -c id', 'ext::sh%20-c%20id', 'file:///etc', '/srv/app.git', '--upload-pack=id', 'origin'])(
    'refuses the repository %j before running git',
    async (repository) => {
      await expect(lsRemote({ repository, branch: 'main' })).rejects.toMatchObject({ code: 'refused' });
    },
  );

  it('refuses a token with an ssh address', async () => {
    const error = await failure(
      lsRemote({
        repository: 'git@github.com:acme/api.git',
        branch: 'main',
        credentials: { kind: 'token', token: TOKEN },
      }),
    );
    expect(error).toMatchObject({ code: 'refused', message: expect.stringContaining('https only') });
    expect(error.message).not.toContain(TOKEN);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(lsRemote({ repository: server.url, branch: 'main', signal: controller.signal })).rejects.toMatchObject(
      { code: 'cancelled' },
    );
  });
});
