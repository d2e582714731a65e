// Whether `npm start` must build the panel first, from what the last build was made of: a content hash of the build's
// inputs, written into .next by every successful `npm run build`. Modification times are not evidence (a checkout, a
// copy or an unpacked archive makes every file look newer than the build), and a needless rebuild is not harmless:
// it gives every server action a new id, so every open tab's next action fails until it reloads.
//
//   node scripts/build-check.mjs decide [--rebuild]   prints why a build is needed (exit 0) or why not (exit 1)
//   node scripts/build-check.mjs record               writes the record (the end of `npm run build`)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `next build` reads from the repository (besides node_modules, whose lock is in the list). */
export const INPUTS = [
  'app',
  'components',
  'lib',
  'prisma',
  'public',
  'instrumentation.ts',
  'middleware.ts',
  'proxy.ts',
  'next.config.ts',
  'postcss.config.mjs',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
];
/** prisma generate's output, rewritten by every install: made from prisma/schema.prisma, which is an input. */
const SKIPPED = new Set(['lib/generated']);
export const RECORD = path.join('.next', 'slipway-source-hash');
const BUILD_ID = path.join('.next', 'BUILD_ID');
const NAMED_MAX = 5;

/**
 * The input files under `root`, relative with forward slashes, sorted.
 * @param {string} root
 * @returns {string[]}
 */
export function sourceFiles(root) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} relative */
  const walk = (relative) => {
    if (SKIPPED.has(relative)) return;
    let stat;
    try {
      stat = statSync(path.join(root, relative));
    } catch {
      return;
    }
    if (stat.isFile()) files.push(relative);
    if (!stat.isDirectory()) return;
    for (const name of readdirSync(path.join(root, relative))) walk(`${relative}/${name}`);
  };
  for (const input of INPUTS) walk(input);
  return files.sort();
}

/**
 * Each input file's SHA-256, by path.
 * @param {string} root
 * @returns {Record<string, string>}
 */
export function sourceDigests(root) {
  /** @type {Record<string, string>} */
  const digests = {};
  for (const file of sourceFiles(root)) {
    digests[file] = createHash('sha256')
      .update(readFileSync(path.join(root, file)))
      .digest('hex');
  }
  return digests;
}

/**
 * One hash of every input's path and content.
 * @param {Record<string, string>} digests
 */
export function sourceHash(digests) {
  const hash = createHash('sha256');
  for (const [file, digest] of Object.entries(digests).sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(`${digest}  ${file}\n`);
  }
  return hash.digest('hex');
}

/**
 * Writes what the build in `root`/.next was made of.
 * @param {string} root
 */
export function recordBuild(root) {
  const files = sourceDigests(root);
  writeFileSync(path.join(root, RECORD), `${JSON.stringify({ hash: sourceHash(files), files })}\n`);
}

/** @param {string} file */
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * @param {string[]} paths
 */
function named(paths) {
  const shown = paths.slice(0, NAMED_MAX).join(', ');
  return paths.length > NAMED_MAX ? `${shown} and ${paths.length - NAMED_MAX} more` : shown;
}

/**
 * Whether the panel in `root` must be built before it starts, and why (or why not), in words for the person.
 * @param {string} root
 * @param {{ rebuild?: boolean }} [options] the person asked for a build
 * @returns {{ build: boolean; reason: string }}
 */
export function buildDecision(root, { rebuild = false } = {}) {
  if (rebuild) return { build: true, reason: 'a rebuild was asked for' };
  try {
    statSync(path.join(root, BUILD_ID));
  } catch {
    return { build: true, reason: 'no build found' };
  }
  const record = readJson(path.join(root, RECORD));
  if (!record || typeof record.hash !== 'string' || typeof record.files !== 'object') {
    return { build: true, reason: `the build does not say what it was built from (no ${RECORD})` };
  }
  const files = sourceDigests(root);
  if (sourceHash(files) === record.hash) return { build: false, reason: 'the sources are those of the last build' };
  const before = /** @type {Record<string, string>} */ (record.files);
  const changed = [...new Set([...Object.keys(files), ...Object.keys(before)])]
    .filter((file) => files[file] !== before[file])
    .sort();
  return { build: true, reason: `source changed since the last build: ${named(changed)}` };
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const [command, ...flags] = process.argv.slice(2);
  if (command === 'record') return recordBuild(root);
  if (command !== 'decide') {
    console.error('usage: node scripts/build-check.mjs decide [--rebuild] | record');
    process.exit(2);
  }
  const { build, reason } = buildDecision(root, { rebuild: flags.includes('--rebuild') });
  console.log(reason);
  process.exit(build ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
