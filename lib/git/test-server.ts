// Tests only: a real git server (git daemon) on a free port, serving one repository whose commits the test makes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type GitTestServer = {
  url: string;
  /** Commits these files on main (paths relative to the repository) and pushes; returns the new sha. */
  commit: (files: Record<string, string>, message?: string) => Promise<string>;
  stop: () => Promise<void>;
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

export async function startGitServer(): Promise<GitTestServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-gitsrv-'));
  const work = path.join(root, 'work');
  const bare = path.join(root, 'srv', 'app.git');
  const git = (args: string[], cwd = work) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd }).toString().trim();
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  git(['remote', 'add', 'origin', bare]);
  const port = await freePort();
  const daemon: ChildProcess = spawn(
    'git',
    ['daemon', '--reuseaddr', '--export-all', `--base-path=${path.join(root, 'srv')}`, `--port=${port}`, '--listen=127.0.0.1', path.join(root, 'srv')],
    { stdio: 'ignore' },
  );
  const url = `git://127.0.0.1:${port}/app.git`;
  const commit = async (files: Record<string, string>, message = 'change') => {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(work, name)), { recursive: true });
      await writeFile(path.join(work, name), content);
    }
    git(['add', '-A']);
    git(['commit', '--quiet', '--allow-empty', '-m', message]);
    git(['push', '--quiet', 'origin', 'main']);
    return git(['rev-parse', 'HEAD']);
  };
  await commit({ 'README.md': 'test repository\n' }, 'initial');
  for (let i = 0; i < 50; i += 1) {
    try {
      execFileSync('git', ['ls-remote', '--', url], { stdio: 'ignore' });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    commit,
    stop: async () => {
      daemon.kill();
      await rm(root, { recursive: true, force: true });
    },
  };
}
