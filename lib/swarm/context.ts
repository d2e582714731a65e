// The build context as a tar stream. Walked and checked before anything is sent, so a bad context fails before the
// engine sees a byte: `.git` is left out (history is not build input and can be large), and a symlink that points
// outside the context is refused (it would let a repository read files of the panel's host through COPY).
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

import tar from 'tar-stream';

import { EngineError } from './errors';

export type BuildContext = { dir: string; dockerfileText?: string } | { dockerfileText: string };

type ContextEntry =
  | { kind: 'directory'; name: string; mode: number; mtime: Date }
  | { kind: 'file'; name: string; full: string; size: number; mode: number; mtime: Date }
  | { kind: 'symlink'; name: string; target: string; mtime: Date };

const SKIPPED = new Set(['.git']);

function inside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Every entry of the context directory, in a stable order, with symlinks checked. */
export async function contextEntries(dir: string): Promise<ContextEntry[]> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch {
    throw new EngineError('invalid', `The build context ${dir} does not exist.`);
  }
  const entries: ContextEntry[] = [];
  async function walk(relativeDir: string): Promise<void> {
    const names = (await readdir(path.join(root, relativeDir))).sort();
    for (const base of names) {
      if (SKIPPED.has(base)) continue;
      const name = relativeDir === '' ? base : `${relativeDir}/${base}`;
      const full = path.join(root, name);
      const stat = await lstat(full);
      if (stat.isSymbolicLink()) {
        const target = await readlink(full);
        if (path.isAbsolute(target) || !inside(root, path.resolve(path.dirname(full), target))) {
          throw new EngineError(
            'invalid',
            `The build context has a symlink ${name} → ${target} that points outside it; remove it or make it relative inside the repository.`,
          );
        }
        entries.push({ kind: 'symlink', name, target, mtime: stat.mtime });
      } else if (stat.isDirectory()) {
        entries.push({ kind: 'directory', name, mode: stat.mode & 0o7777, mtime: stat.mtime });
        await walk(name);
      } else if (stat.isFile()) {
        entries.push({ kind: 'file', name, full, size: stat.size, mode: stat.mode & 0o7777, mtime: stat.mtime });
      }
      // Sockets, FIFOs and devices are not build input (and reading a FIFO would block the build).
    }
  }
  await walk('');
  return entries;
}

/** A safe relative path for the Dockerfile inside the context. */
export function dockerfilePath(dockerfile = 'Dockerfile'): string {
  const normal = path.posix.normalize(dockerfile);
  if (
    path.posix.isAbsolute(normal) ||
    normal === '..' ||
    normal.startsWith('../') ||
    normal === '.' ||
    normal.includes('\0')
  ) {
    throw new EngineError(
      'invalid',
      `The Dockerfile path “${dockerfile.slice(0, 80)}” must be a file inside the build context.`,
    );
  }
  return normal;
}

// One file into the tar, honouring back-pressure; resolves when tar-stream has taken the whole entry.
async function writeFile(pack: tar.Pack, entry: Extract<ContextEntry, { kind: 'file' }>): Promise<void> {
  let settle: (error?: Error | null) => void = () => {};
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const sink = pack.entry({ name: entry.name, size: entry.size, mode: entry.mode, mtime: entry.mtime }, (error) =>
    settle(error),
  );
  for await (const chunk of createReadStream(entry.full)) {
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  sink.end(undefined);
  await written;
}

/**
 * The context as an uncompressed tar stream. Entries are written one at a time as the engine reads, so a large
 * repository is never held in memory. A generated Dockerfile (dockerfileText) replaces any file of that name.
 */
export async function packContext(context: BuildContext, dockerfile: string): Promise<tar.Pack> {
  const entries = 'dir' in context ? await contextEntries(context.dir) : [];
  const generated = context.dockerfileText;
  const pack = tar.pack();
  void (async () => {
    for (const entry of entries) {
      if (generated !== undefined && entry.name === dockerfile) continue;
      if (entry.kind === 'directory') {
        pack.entry({ name: `${entry.name}/`, type: 'directory', mode: entry.mode, mtime: entry.mtime });
      } else if (entry.kind === 'symlink') {
        pack.entry({ name: entry.name, type: 'symlink', linkname: entry.target, mtime: entry.mtime });
      } else {
        await writeFile(pack, entry);
      }
    }
    if (generated !== undefined) pack.entry({ name: dockerfile, mode: 0o644, mtime: new Date(0) }, generated);
    pack.finalize();
  })().catch((error: unknown) => pack.destroy(error as Error));
  return pack;
}
