// Where the key ring comes from: SLIPWAY_SECRET_KEY when the operator provides it, otherwise a key file in the
// data directory that is created on first start. Losing the key loses every stored secret, so nothing here ever
// overwrites a key file it could not read.
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { KEY_BYTES, type KeyRing } from './secrets';

export const KEY_FILE = 'secret-keys.json';

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}

export type LoadKeyRingOptions = { secretKey?: string; dataDir: string };

const EXPECTED =
  'Expected one key (32 random bytes as base64 or base64url, or 64 hex characters), or a comma-separated list ' +
  "such as '3:<key>,2:<key>,1:<key>' whose first entry is the current key. Generate a key with: openssl rand -base64 32";

export async function loadKeyRing({ secretKey, dataDir }: LoadKeyRingOptions): Promise<KeyRing> {
  if (secretKey !== undefined) return parseSecretKey(secretKey);
  return loadOrCreateKeyFile(dataDir);
}

/** Adds a fresh key as version max+1 and makes it current. Older versions stay so existing secrets decrypt. */
export async function addKeyVersion(dataDir: string): Promise<KeyRing> {
  await loadOrCreateKeyFile(dataDir);
  const file = join(dataDir, KEY_FILE);
  return withLock(`${file}.lock`, async () => {
    const ring = await readKeyFile(file);
    if (!ring) throw new KeyRingError(`Key file ${file} disappeared while adding a key version`);
    const version = Math.max(...ring.keys.keys()) + 1;
    ring.keys.set(version, randomBytes(KEY_BYTES));
    ring.current = version;
    const tmp = await writeTemp(file, serialize(ring));
    // rename() swaps the whole file at once: a process starting meanwhile reads the old ring or the new one.
    await rename(tmp, file).catch(async (error: unknown) => {
      await removeFile(tmp);
      throw error;
    });
    await syncDir(dataDir);
    return ring;
  });
}

// Keys never contain ':', so its presence alone tells the list form from a single key.
function parseSecretKey(value: string): KeyRing {
  const text = value.trim();
  if (text === '') throw new KeyRingError(`SLIPWAY_SECRET_KEY is set but empty. ${EXPECTED}`);
  if (!text.includes(':')) {
    const key = decodeKey(text);
    if (!key) throw new KeyRingError(`SLIPWAY_SECRET_KEY is not a 32-byte key. ${EXPECTED}`);
    return { current: 1, keys: new Map([[1, key]]) };
  }
  const keys = new Map<number, Buffer>();
  text.split(',').forEach((entry, index) => {
    const [, versionText, keyText] = /^\s*([1-9][0-9]*)\s*:\s*(\S+)\s*$/.exec(entry) ?? [];
    const version = Number(versionText);
    const key = keyText === undefined ? undefined : decodeKey(keyText);
    if (!Number.isSafeInteger(version) || !key) {
      throw new KeyRingError(
        `SLIPWAY_SECRET_KEY entry ${index + 1} is not '<version>:<key>' with a positive version and a 32-byte key. ${EXPECTED}`,
      );
    }
    if (keys.has(version)) throw new KeyRingError(`SLIPWAY_SECRET_KEY lists key version ${version} twice. ${EXPECTED}`);
    keys.set(version, key);
  });
  const [current] = keys.keys();
  return { current: current ?? 1, keys };
}

function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  // 32 bytes are 43 base64 characters plus one optional '='; Node's base64 decoder reads both alphabets.
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

async function loadOrCreateKeyFile(dataDir: string): Promise<KeyRing> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, KEY_FILE);
  return (await readKeyFile(file)) ?? createKeyFile(file, dataDir);
}

async function readKeyFile(file: string): Promise<KeyRing | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const { mode } = await stat(file);
  // Group, other or execute bits: more than a key file needs (e.g. restored from a backup with the default umask).
  if ((mode & 0o777 & ~0o600) !== 0) await chmod(file, 0o600);
  return parseKeyFile(file, text);
}

async function createKeyFile(file: string, dataDir: string): Promise<KeyRing> {
  const ring: KeyRing = { current: 1, keys: new Map([[1, randomBytes(KEY_BYTES)]]) };
  const tmp = await writeTemp(file, serialize(ring));
  try {
    // link() never replaces an existing file, so when several processes start at once exactly one key is
    // published, complete, and every other process reads that one.
    await link(tmp, file);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    const winner = await readKeyFile(file);
    if (!winner) throw new KeyRingError(`Key file ${file} disappeared while it was being created`);
    return winner;
  } finally {
    await removeFile(tmp);
  }
  await syncDir(dataDir);
  return ring;
}

function parseKeyFile(file: string, text: string): KeyRing {
  // The file's contents are never quoted: a parse error message could otherwise carry key material.
  const corrupt = (why: string) =>
    new KeyRingError(
      `Key file ${file} is corrupt: ${why}. Restore it from a backup; do not delete it, ` +
        'as secrets already stored cannot be decrypted without it.',
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw corrupt('it is not valid JSON');
  }
  if (!isRecord(data) || !isRecord(data.keys)) {
    throw corrupt('expected {"current": <version>, "keys": {"<version>": "<base64 key>"}}');
  }
  const keys = new Map<number, Buffer>();
  for (const [name, value] of Object.entries(data.keys)) {
    const version = /^[1-9][0-9]*$/.test(name) ? Number(name) : NaN;
    const key = typeof value === 'string' ? decodeKey(value) : undefined;
    if (!Number.isSafeInteger(version) || !key) {
      throw corrupt('every entry of "keys" must map a positive version to a 32-byte base64 key');
    }
    keys.set(version, key);
  }
  if (typeof data.current !== 'number' || !keys.has(data.current)) {
    throw corrupt('"current" does not name one of its keys');
  }
  return { current: data.current, keys };
}

function serialize(ring: KeyRing): string {
  const keys = Object.fromEntries([...ring.keys].map(([version, key]) => [String(version), key.toString('base64')]));
  return `${JSON.stringify({ current: ring.current, keys }, null, 2)}\n`;
}

// The temp file sits beside the target so link/rename stay on one filesystem, and is 0600 from its first byte.
async function writeTemp(file: string, content: string): Promise<string> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await removeFile(tmp);
    throw error;
  } finally {
    await handle.close();
  }
  return tmp;
}

// Without this a crash could forget the new directory entry after secrets were already written with its key.
// Some filesystems cannot fsync a directory; the file's own contents are synced either way.
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    return;
  }
}

// Two rotations at once would each add "version max+1" and the later rename would drop the other's key.
async function withLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await (await open(lockFile, 'wx', 0o600)).close();
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if (Date.now() > deadline) {
        throw new KeyRingError(
          `Another key rotation holds ${lockFile}. If none is running, delete that file and retry.`,
        );
      }
      await sleep(20);
    }
  }
  try {
    return await fn();
  } finally {
    await removeFile(lockFile);
  }
}

// Cleanup after the work: a temp or lock file left behind is worth a line (a stale lock blocks the next rotation),
// never an error in place of the work's own. Already gone is fine.
async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') console.error(`[slipway] could not remove ${path}`, error);
  });
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
