import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';

import { contextEntries, dockerfilePath, packContext } from './context';

let dir: string;

async function makeDir(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-context-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

async function unpack(stream: tar.Pack): Promise<Record<string, string>> {
  const extract = tar.extract();
  const files: Record<string, string> = {};
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      files[entry.header.name] =
        entry.header.type === 'symlink' ? `-> ${entry.header.linkname}` : Buffer.concat(chunks).toString();
    }
  })();
  stream.pipe(extract);
  await done;
  return files;
}

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('build context', () => {
  it('packs everything but .git, keeps inside symlinks, skips FIFOs', async () => {
    await makeDir({
      Dockerfile: 'FROM x\n',
      'src/app.js': 'console.log(1)\n',
      '.git/HEAD': 'ref\n',
      'src/.git/config': 'x',
    });
    await symlink('src/app.js', path.join(dir, 'link.js'));
    await symlink('../Dockerfile', path.join(dir, 'src/up'));
    execFileSync('mkfifo', ['--', path.join(dir, 'pipe')]);
    const files = await unpack(await packContext({ dir }, 'Dockerfile'));
    expect(files).toEqual({
      Dockerfile: 'FROM x\n',
      'link.js': '-> src/app.js',
      'src/': '',
      'src/app.js': 'console.log(1)\n',
      'src/up': '-> ../Dockerfile',
    });
  });

  it('replaces the Dockerfile with generated text, or packs only that text', async () => {
    await makeDir({ Dockerfile: 'FROM old\n', 'a.txt': 'a' });
    expect(await unpack(await packContext({ dir, dockerfileText: 'FROM new\n' }, 'Dockerfile'))).toEqual({
      'a.txt': 'a',
      Dockerfile: 'FROM new\n',
    });
    expect(await unpack(await packContext({ dockerfileText: 'FROM only\n' }, 'build/Dockerfile'))).toEqual({
      'build/Dockerfile': 'FROM only\n',
    });
  });

  it.each([
    ['an absolute target', '/etc/passwd', 'passwd'],
    ['a relative target above the context', '../../etc/passwd', 'sub/escape'],
    ['the parent directory', '..', 'parent'],
  ])('refuses a symlink to %s', async (_what, target, name) => {
    await makeDir({ 'sub/file': 'x' });
    await symlink(target, path.join(dir, name));
    await expect(contextEntries(dir)).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringContaining(`symlink ${name} → ${target}`),
    });
  });

  it('says when the context does not exist', async () => {
    await makeDir({});
    await expect(contextEntries(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'invalid' });
  });

  it.each([
    [undefined, 'Dockerfile'],
    ['docker/Dockerfile.prod', 'docker/Dockerfile.prod'],
    ['./a/../Dockerfile', 'Dockerfile'],
  ])('accepts the Dockerfile path %j', (given, expected) => expect(dockerfilePath(given)).toBe(expected));

  it.each(['/etc/passwd', '../Dockerfile', 'a/../../Dockerfile', '.', '..', 'a\0b'])(
    'refuses the Dockerfile path %j',
    (given) => {
      expect(() => dockerfilePath(given)).toThrow(expect.objectContaining({ code: 'invalid' }));
    },
  );
});
