// Asking a remote which commit a branch points at (git ls-remote), with the same argv-only rules, protocol policy,
// credentials handling and redaction as checkout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { prepareCredentials, type GitCredentials } from './credentials';
import {
  accessDenied,
  deadline,
  GitError,
  isSha,
  POLICY,
  redact,
  refusedBranch,
  refusedRepository,
  runGit,
} from './run';

export type LsRemoteOptions = {
  repository: string;
  branch: string;
  credentials?: GitCredentials;
  timeoutMs?: number;
  signal?: AbortSignal;
};

const SHOWN_BRANCHES = 10;

/** The sha `refs/heads/<branch>` points at on the remote; a GitError `not_found` naming the branches there if none. */
export async function lsRemote(options: LsRemoteOptions): Promise<string> {
  const { repository, branch } = options;
  const refused = refusedRepository(repository) ?? refusedBranch(branch);
  if (refused) throw new GitError('refused', refused);
  const credentials = await prepareCredentials(options.credentials, { repository });
  const limit = deadline(options.signal, options.timeoutMs ?? 60_000);
  let cwd: string | undefined;
  try {
    // An empty directory that git will not search upwards from, so no repository's config (a planted /tmp/.git, the
    // panel's own checkout) can rewrite the URL or name a program to run.
    cwd = await mkdtemp(path.join(tmpdir(), 'slipway-ls-'));
    const env = { ...credentials.env, GIT_CEILING_DIRECTORIES: path.dirname(cwd) };
    const run = { cwd, env, signal: limit.signal, secrets: credentials.secrets };
    const heads = async (...patterns: string[]) => {
      const output = await runGit([...POLICY, 'ls-remote', '--heads', '--', repository, ...patterns], run).catch(
        (error: unknown) => {
          throw error instanceof GitError && error.code === 'denied'
            ? accessDenied(repository, Boolean(options.credentials))
            : error;
        },
      );
      return output
        .split('\n')
        .map((line) => /^([0-9a-f]{40})\trefs\/heads\/(\S+)$/.exec(line))
        .filter((match) => match !== null)
        .map(([, sha = '', name = '']) => ({ sha, name }));
    };
    // The pattern matches any ref ending in it (refs/heads/x/refs/heads/main too), hence the exact comparison.
    const found = (await heads(`refs/heads/${branch}`)).find((head) => head.name === branch);
    if (found && isSha(found.sha)) return found.sha;
    throw new GitError(
      'not_found',
      `The branch “${branch}” does not exist in ${redact(repository)}.${await listBranches(heads)}`,
    );
  } finally {
    limit.done();
    await credentials.cleanup();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  }
}

async function listBranches(heads: () => Promise<{ name: string }[]>): Promise<string> {
  const names = await heads().then(
    (all) => all.map((head) => head.name),
    () => null,
  );
  if (!names) return '';
  if (names.length === 0) return ' The repository has no branches yet.';
  const shown = names.slice(0, SHOWN_BRANCHES).join(', ');
  return ` Branches: ${shown}${names.length > SHOWN_BRANCHES ? `, and ${names.length - SHOWN_BRANCHES} more` : ''}.`;
}
