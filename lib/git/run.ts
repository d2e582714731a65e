// The one way lib/git runs git: argv only (never a shell), a minimal environment, git's own protocol policy on
// every command, a deadline, and every line that leaves this module scrubbed of credentials.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';

export class GitError extends Error {
  constructor(
    readonly code: 'refused' | 'failed' | 'not_found' | 'denied' | 'timeout' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/** Passed before every subcommand: no ext:: or file transports, whatever the URL claims to be, and no hooks. */
export const POLICY = [
  '-c',
  'protocol.ext.allow=never',
  '-c',
  'protocol.file.allow=never',
  '-c',
  'core.hooksPath=/dev/null',
] as const;

const SHA = /^[0-9a-f]{40}$/;
const REF = /^[A-Za-z0-9._/-]+$/;

export const isSha = (value: string) => SHA.test(value);

/** Why git must not be given this URL, or null. Only network transports; nothing that can run a command. */
export function refusedRepository(url: string): string | null {
  if (url.startsWith('-')) return 'A repository URL cannot start with "-".';
  if (/[\s\p{Cc}]/u.test(url)) return 'A repository URL cannot contain spaces or control characters.';
  if (/^ext::/i.test(url) || /^file:/i.test(url) || url.startsWith('/') || url.startsWith('.')) {
    return 'Only network repositories (https, ssh, git) can be deployed.';
  }
  if (!/^(https?|ssh|git):\/\//i.test(url) && !/^[\w.-]+@[\w.-]+:/.test(url))
    return 'This is not a repository URL git can fetch over the network.';
  // A password in the URL would sit in git's argv, readable by anyone on the host who can list processes.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url))
    return 'A repository URL cannot carry a password or token: give the token as a credential instead.';
  return null;
}

/** Why git must not be asked for this branch, or null: git check-ref-format's rules, narrowed to [A-Za-z0-9._/-]. */
export function refusedBranch(branch: string): string | null {
  const rule =
    'Branch names use letters, digits, . _ / and -, without “..”, a leading - / or ., or a trailing / or .lock.';
  if (!REF.test(branch) || branch.length > 255) return `That branch name cannot be fetched. ${rule}`;
  if (/^[-/.]/.test(branch) || branch.includes('..') || branch.includes('//') || /(\/|\.|\.lock)$/.test(branch)) {
    return `That branch name cannot be fetched. ${rule}`;
  }
  return null;
}

/**
 * Credentials out of any text: `scheme://user:token@` becomes `scheme://***@`, an `Authorization:` header loses its
 * value, and each of `secrets` (a token, its Basic form) is replaced wherever it appears.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let clean = text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')
    .replace(/(authorization:)[^\r\n]*/gi, '$1 ***');
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('***');
  return clean;
}

/** Stops git after `timeoutMs` or when `signal` aborts, whichever comes first; call `done()` when git has finished. */
export function deadline(
  signal: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('timeout'), timeoutMs);
  const stop = () => controller.abort('cancelled');
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    },
  };
}

export type GitRunOptions = {
  cwd?: string;
  onLine?: (line: string) => void;
  signal: AbortSignal;
  /** Added to the minimal environment (credential config, the SSH key's path). */
  env?: Record<string, string>;
  /** Values scrubbed from every line and message, on top of what `redact` always removes. */
  secrets?: readonly string[];
};

/** Runs git with `args`; resolves with its trimmed stdout, rejects with a GitError carrying stderr's last lines. */
export function runGit(args: string[], options: GitRunOptions): Promise<string> {
  const scrub = (text: string) => redact(text, options.secrets);
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      // A minimal environment: the panel's own variables (database URL, secret key) never reach git or a hook, and
      // no configuration is read but the repository's own (a planted $HOME/.gitconfig could name a program to run).
      env: {
        NODE_ENV: 'production',
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: tmpdir(),
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_ASKPASS: 'true',
        GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new',
        GIT_PROTOCOL_FROM_USER: '0',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    let stdout = '';
    let tail = '';
    const lines = (chunk: Buffer, keep: boolean) => {
      const text = chunk.toString('utf8');
      if (keep) stdout += text;
      for (const line of text.split(/\r?\n|\r/)) {
        if (!line.trim()) continue;
        const clean = scrub(line);
        if (keep) continue;
        tail = `${tail}\n${clean}`.slice(-2000);
        options.onLine?.(clean);
      }
    };
    const stopped = () =>
      new GitError(options.signal.reason === 'timeout' ? 'timeout' : 'cancelled', 'git was stopped.');
    child.stdout.on('data', (chunk: Buffer) => lines(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => lines(chunk, false));
    child.once('error', (error) => {
      if (options.signal.aborted) reject(stopped());
      else reject(new GitError('failed', scrub(`git could not run: ${error.message}`)));
    });
    child.once('close', (code) => {
      if (options.signal.aborted) return reject(stopped());
      if (code === 0) return resolve(stdout.trim());
      const command = args.find((arg) => !arg.startsWith('-') && !arg.includes('=')) ?? '';
      reject(new GitError(deniedAccess(tail) ? 'denied' : 'failed', `git ${command} failed:${tail}`));
    });
  });
}

/** Whether git's output says the server wanted credentials it was not given (or refused the ones it was). */
export function deniedAccess(output: string): boolean {
  return /Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied \(publickey|HTTP 40[13]|returned error: 40[13]/i.test(
    output,
  );
}

/** The error for a server that refused access, saying what to change. */
export function accessDenied(repository: string, withCredentials: boolean): GitError {
  const where = redact(repository);
  return new GitError(
    'denied',
    withCredentials
      ? `The git server refused the credentials for ${where}: check that the token or deploy key is still valid and can read the repository.`
      : `The git server asked for credentials for ${where}: connect the provider, or add a token or deploy key.`,
  );
}
