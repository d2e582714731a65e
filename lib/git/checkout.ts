// Fetching exactly one commit of a repository into a directory, with real git run as argv (never a shell), `--`
// before every user value, no terminal prompts, the dangerous transports refused twice (by our check and by git's
// own protocol policy), a timeout, and credentials kept out of argv and scrubbed from every line that leaves here.
import { mkdir } from 'node:fs/promises';

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

export { GitError, redact, refusedRepository } from './run';

export type CheckoutOptions = {
  repository: string;
  /** A branch or tag name, or a full commit sha; a sha is fetched directly when the server allows it. */
  ref: string;
  dir: string;
  /** A token (https) or a deploy key (ssh); never put in argv or the URL. */
  credentials?: GitCredentials;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
};

/** Fetches `ref` (depth 1) into `dir` and checks it out; returns the commit sha. */
export async function checkout(options: CheckoutOptions): Promise<{ commitSha: string }> {
  const { repository, ref } = options;
  const refused = refusedRepository(repository) ?? (isSha(ref) ? null : refusedBranch(ref));
  if (refused) throw new GitError('refused', refused);
  // Refuses a token over ssh or plain http, or a key for an https address, before anything is written.
  const credentials = await prepareCredentials(options.credentials, { repository });
  const limit = deadline(options.signal, options.timeoutMs ?? 5 * 60_000);
  // Only the fetch is given the credentials; every command is scrubbed of them all the same.
  const run = (args: string[], env: Record<string, string> = {}) =>
    runGit(args, { cwd: options.dir, onLine: options.onLine, signal: limit.signal, env, secrets: credentials.secrets });
  try {
    await mkdir(options.dir, { recursive: true });
    await run([...POLICY, 'init', '--quiet']);
    await run(
      [...POLICY, 'fetch', '--depth', '1', '--no-tags', '--progress', '--', repository, ref],
      credentials.env,
    ).catch((error: unknown) => {
      throw explainFetchError(error, { repository, ref, withCredentials: Boolean(options.credentials) });
    });
    await run([...POLICY, 'checkout', '--quiet', '--detach', 'FETCH_HEAD']);
    const commitSha = await run(['rev-parse', 'HEAD']);
    if (!isSha(commitSha)) throw new GitError('failed', 'git did not report the fetched commit.');
    return { commitSha };
  } finally {
    limit.done();
    await credentials.cleanup();
  }
}

/** git's "couldn't find remote ref" and "Authentication failed", said so a person knows what to change. */
function explainFetchError(
  error: unknown,
  context: { repository: string; ref: string; withCredentials: boolean },
): unknown {
  if (!(error instanceof GitError)) return error;
  const where = redact(context.repository);
  if (error.code === 'denied') return accessDenied(context.repository, context.withCredentials);
  if (error.code !== 'failed') return error;
  if (/couldn't find remote ref/i.test(error.message) && !isSha(context.ref)) {
    return new GitError('not_found', `The branch “${context.ref}” does not exist in ${where}.`);
  }
  if (/not our ref|unadvertised object|couldn't find remote ref/i.test(error.message)) {
    return new GitError(
      'not_found',
      `The commit ${context.ref} is not in ${where}, or the server does not allow fetching a commit by its sha.`,
    );
  }
  return error;
}
