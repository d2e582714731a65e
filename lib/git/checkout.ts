// Fetching exactly one commit of a repository into a directory, with real git run as argv (never a shell), `--`
// before every user value, no terminal prompts, the dangerous transports refused twice (by our check and by git's
// own protocol policy), a timeout, and credentials scrubbed from every line that leaves this module.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';

export class GitError extends Error {
  constructor(
    readonly code: 'refused' | 'failed' | 'timeout' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export type CheckoutOptions = {
  repository: string;
  /** A branch or tag name, or a full commit sha; a sha is fetched directly when the server allows it. */
  ref: string;
  dir: string;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
};

const SHA = /^[0-9a-f]{40}$/;
const REF = /^[A-Za-z0-9._/-]+$/;

/** Why git must not be given this URL, or null. Only network transports; nothing that can run a command. */
export function refusedRepository(url: string): string | null {
  if (url.startsWith('-')) return 'A repository URL cannot start with "-".';
  if (/[\s\p{Cc}]/u.test(url)) return 'A repository URL cannot contain spaces or control characters.';
  if (/^ext::/i.test(url) || /^file:/i.test(url) || url.startsWith('/') || url.startsWith('.')) {
    return 'Only network repositories (https, ssh, git) can be deployed.';
  }
  if (!/^(https?|ssh|git):\/\//i.test(url) && !/^[\w.-]+@[\w.-]+:/.test(url)) return 'This is not a repository URL git can fetch over the network.';
  return null;
}

/** `https://user:token@host/…` → `https://***@host/…` in any text. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

function git(args: string[], options: { cwd?: string; onLine?: (line: string) => void; signal: AbortSignal }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      // A minimal environment: the panel's own variables (database URL, secret key) never reach git or a hook.
      env: {
        NODE_ENV: 'production',
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: tmpdir(),
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_ASKPASS: 'true',
        GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new',
        GIT_PROTOCOL_FROM_USER: '0',
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
        const clean = redact(line);
        tail = `${tail}\n${clean}`.slice(-2000);
        if (!keep) options.onLine?.(clean);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => lines(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => lines(chunk, false));
    child.once('error', (error) => {
      if (options.signal.aborted) reject(new GitError(options.signal.reason === 'timeout' ? 'timeout' : 'cancelled', 'git was stopped.'));
      else reject(new GitError('failed', redact(`git could not run: ${error.message}`)));
    });
    child.once('close', (code) => {
      if (options.signal.aborted) return reject(new GitError(options.signal.reason === 'timeout' ? 'timeout' : 'cancelled', 'git was stopped.'));
      if (code === 0) resolve(stdout.trim());
      else reject(new GitError('failed', `git ${args.find((arg) => !arg.startsWith('-') && !arg.includes('=')) ?? ''} failed:${tail}`));
    });
  });
}

/** Fetches `ref` (depth 1) into `dir` and checks it out; returns the commit sha. */
export async function checkout(options: CheckoutOptions): Promise<{ commitSha: string }> {
  const refused = refusedRepository(options.repository);
  if (refused) throw new GitError('refused', refused);
  if (!SHA.test(options.ref) && (!REF.test(options.ref) || options.ref.startsWith('-') || options.ref.includes('..'))) {
    throw new GitError('refused', 'That branch name cannot be fetched.');
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('timeout'), options.timeoutMs ?? 5 * 60_000);
  const stop = () => controller.abort('cancelled');
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  const run = (args: string[]) => git(args, { cwd: options.dir, onLine: options.onLine, signal: controller.signal });
  // Policy for every command: no ext:: or file transports, whatever the URL claims to be.
  const policy = ['-c', 'protocol.ext.allow=never', '-c', 'protocol.file.allow=never', '-c', 'core.hooksPath=/dev/null'];
  try {
    await mkdir(options.dir, { recursive: true });
    await run([...policy, 'init', '--quiet']);
    await run([...policy, 'fetch', '--depth', '1', '--no-tags', '--progress', '--', options.repository, options.ref]);
    await run([...policy, 'checkout', '--quiet', '--detach', 'FETCH_HEAD']);
    const commitSha = await run(['rev-parse', 'HEAD']);
    if (!SHA.test(commitSha)) throw new GitError('failed', 'git did not report the fetched commit.');
    return { commitSha };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}
