// A real Caddy (Debian's /usr/bin/caddy) as a process of the test, its admin API on a unix socket and its storage in
// the test's directory: for the reconciler, the edge proxy's host mode and the certificate collector.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { getConfig } from '../admin';

/** Resolves with the first value `probe` gives (not undefined, not a throw); fails after `ms` with the last error. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}: ${(last as Error | undefined)?.message ?? ''}`);
}

export type HostCaddy = {
  /** Caddy's storage root (its file_system storage: certificates/, pki/). */
  storageRoot: string;
  stop: () => Promise<void>;
};

/**
 * Starts Caddy with `config` (by default only the admin API on `socket`) and resolves once the admin API answers.
 * Its HOME, data and config directories are inside `dir`.
 */
export async function startHostCaddy(
  dir: string,
  socket: string,
  config: Record<string, unknown> = { admin: { listen: `unix/${socket}`, config: { persist: false } } },
): Promise<HostCaddy> {
  await rm(socket, { force: true });
  const file = path.join(dir, 'caddy-bootstrap.json');
  await writeFile(file, JSON.stringify(config));
  const child: ChildProcess = spawn('/usr/bin/caddy', ['run', '--config', file], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'cfg') },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await until('Caddy admin socket', async () => {
    if (child.exitCode !== null) throw new Error(`Caddy exited with ${child.exitCode}`);
    return (await getConfig(socket)) !== undefined ? true : undefined;
  });
  return {
    storageRoot: path.join(dir, 'data', 'caddy'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
