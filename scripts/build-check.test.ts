// `npm start` builds only when the sources changed (their content, never their modification times), when there is no
// build, or when asked. Run as the person runs it: scripts/start.sh (with --check, which stops before building or
// serving) in a temp copy of a tiny repository whose "build" is what `npm run build` ends with (the record).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPTS = path.resolve(__dirname);
let root = '';

const FILES: Record<string, string> = {
  'app/page.tsx': 'export default function Page() { return null; }\n',
  'lib/answer.ts': 'export const answer = 42;\n',
  'lib/generated/prisma/client.ts': '// generated\n',
  'package.json': '{ "name": "tiny", "private": true }\n',
  'package-lock.json': '{ "name": "tiny", "lockfileVersion": 3 }\n',
};

async function write(file: string, text: string) {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

/** What a successful `npm run build` leaves: a build, and the record of what it was built from. */
async function build() {
  await write('.next/BUILD_ID', 'build-1\n');
  await run(process.execPath, ['scripts/build-check.mjs', 'record'], { cwd: root });
}

/** What `npm start` says it will do. */
async function start(args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run('bash', ['scripts/start.sh', '--check', ...args], {
    cwd: root,
    env: { ...process.env, SLIPWAY_REBUILD: '', ...env },
  });
  return stdout.trim();
}

/** Every file's modification time moved an hour ahead, as a checkout or a copy does; no content changes. */
async function touchEverything() {
  const later = new Date(Date.now() + 3_600_000);
  for (const file of [...Object.keys(FILES), 'scripts/start.sh', 'scripts/build-check.mjs']) {
    await utimes(path.join(root, file), later, later);
  }
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'slipway-start-'));
  for (const name of ['start.sh', 'build-check.mjs']) {
    await mkdir(path.join(root, 'scripts'), { recursive: true });
    await copyFile(path.join(SCRIPTS, name), path.join(root, 'scripts', name));
  }
  for (const [file, text] of Object.entries(FILES)) await write(file, text);
  // Dependencies installed after the lock was written: start.sh does not reinstall.
  await write('node_modules/.package-lock.json', '{}\n');
  const later = new Date(Date.now() + 7_200_000);
  await utimes(path.join(root, 'node_modules/.package-lock.json'), later, later);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npm start', () => {
  it('does not rebuild when files only look newer than the build', async () => {
    await build();
    await touchEverything();
    expect(await start()).toBe('[start] not building: the sources are those of the last build');
  });

  it('does not rebuild when only prisma generate’s output changed', async () => {
    await build();
    await write('lib/generated/prisma/client.ts', '// generated again, differently\n');
    expect(await start()).toBe('[start] not building: the sources are those of the last build');
  });

  it('rebuilds when a source’s content changed, and says which', async () => {
    await build();
    await write('app/page.tsx', 'export default function Page() { return "changed"; }\n');
    expect(await start()).toBe(
      '[start] building the panel (npm run build): source changed since the last build: app/page.tsx',
    );
  });

  it('names added and removed sources, a few of them', async () => {
    await build();
    await rm(path.join(root, 'lib/answer.ts'));
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await write(`components/${name}.tsx`, `// ${name}\n`);
    expect(await start()).toBe(
      '[start] building the panel (npm run build): source changed since the last build: components/a.tsx, ' +
        'components/b.tsx, components/c.tsx, components/d.tsx, components/e.tsx and 2 more',
    );
  });

  it('builds when there is no build, or a build without a record of its sources', async () => {
    expect(await start()).toBe('[start] building the panel (npm run build): no build found');
    await write('.next/BUILD_ID', 'build-0\n');
    expect(await start()).toMatch(/^\[start\] building the panel \(npm run build\): the build does not say what/);
  });

  it('rebuilds when asked, with --rebuild or SLIPWAY_REBUILD=1', async () => {
    await build();
    const asked = '[start] building the panel (npm run build): a rebuild was asked for';
    expect(await start(['--rebuild'])).toBe(asked);
    expect(await start([], { SLIPWAY_REBUILD: '1' })).toBe(asked);
  });
});
