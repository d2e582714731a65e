import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { addKeyVersion, KEY_FILE, KeyRingError, loadKeyRing } from './keys';
import { decryptSecret, encryptSecret, keyVersionOf, type KeyRing } from './secrets';

let root: string;
let dataDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-keys-'));
  dataDir = join(root, 'data', 'nested');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const hex = (ring: KeyRing, version = ring.current) => ring.keys.get(version)?.toString('hex');

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('loadKeyRing from the key file', () => {
  it('creates the data dir (0700) and a 0600 key file with one 32-byte key on first use', async () => {
    const ring = await loadKeyRing({ dataDir });
    expect(ring.current).toBe(1);
    expect(ring.keys.get(1)?.length).toBe(32);
    expect(await modeOf(dataDir)).toBe(0o700);
    const file = join(dataDir, KEY_FILE);
    expect(await modeOf(file)).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toEqual({ current: 1, keys: { '1': ring.keys.get(1)?.toString('base64') } });
  });

  it('returns the same key on a second load, so secrets survive a restart', async () => {
    const first = await loadKeyRing({ dataDir });
    const ciphertext = encryptSecret(first, 'survives restart');
    const second = await loadKeyRing({ dataDir });
    expect(hex(second)).toBe(hex(first));
    expect(decryptSecret(second, ciphertext)).toBe('survives restart');
  });

  it('gives ten concurrent first loads one and the same key, leaving no temp files', async () => {
    const rings = await Promise.all(Array.from({ length: 10 }, () => loadKeyRing({ dataDir })));
    const saved = await loadKeyRing({ dataDir });
    expect(new Set(rings.map((ring) => hex(ring)))).toEqual(new Set([hex(saved)]));
    expect(await readdir(dataDir)).toEqual([KEY_FILE]);
  });

  it.each([0o644, 0o640, 0o604, 0o700])('tightens a key file with mode %o to 0600', async (mode) => {
    const first = await loadKeyRing({ dataDir });
    const file = join(dataDir, KEY_FILE);
    await chmod(file, mode);
    const again = await loadKeyRing({ dataDir });
    expect(await modeOf(file)).toBe(0o600);
    expect(hex(again)).toBe(hex(first));
  });

  const key = randomBytes(32).toString('base64');
  const corrupt: [string, string][] = [
    ['not JSON', `{"current":1,"keys":{"1":"${key}"`],
    ['an array', '[]'],
    ['no keys', '{"current":1}'],
    ['current missing from keys', `{"current":2,"keys":{"1":"${key}"}}`],
    ['a 16-byte key', `{"current":1,"keys":{"1":"${randomBytes(16).toString('base64')}"}}`],
    ['version 0', `{"current":0,"keys":{"0":"${key}"}}`],
    ['a non-numeric version', `{"current":1,"keys":{"1":"${key}","v2":"${key}"}}`],
  ];

  it.each(corrupt)('refuses a key file that is %s, naming the file and leaving it untouched', async (_, content) => {
    await loadKeyRing({ dataDir });
    const file = join(dataDir, KEY_FILE);
    await writeFile(file, content);
    const error = await rejection(loadKeyRing({ dataDir }));
    expect(error).toBeInstanceOf(KeyRingError);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/corrupt/);
    expect(error.message).not.toContain(key);
    expect(await readFile(file, 'utf8')).toBe(content);
  });
});

describe('loadKeyRing from SLIPWAY_SECRET_KEY', () => {
  // 0xfb bytes spell '+' and '/' in base64 and '-' and '_' in base64url, so each alphabet is really exercised.
  const k1 = Buffer.alloc(32, 0xfb);
  const k2 = randomBytes(32);
  const k3 = randomBytes(32);

  const single: [string, string][] = [
    ['base64', k1.toString('base64')],
    ['base64 without padding', k1.toString('base64').replace(/=$/, '')],
    ['base64url', k1.toString('base64url')],
    ['lowercase hex', k1.toString('hex')],
    ['uppercase hex', k1.toString('hex').toUpperCase()],
    ['with a trailing newline', `${k1.toString('base64')}\n`],
  ];

  it.each(single)('accepts one key as %s, as version 1', async (_, secretKey) => {
    const ring = await loadKeyRing({ secretKey, dataDir });
    expect(ring.current).toBe(1);
    expect([...ring.keys.keys()]).toEqual([1]);
    expect(ring.keys.get(1)?.equals(k1)).toBe(true);
  });

  it('accepts a versioned list whose first entry is current, in any key encoding', async () => {
    const secretKey = `3:${k3.toString('base64url')}, 2:${k2.toString('hex')} ,1:${k1.toString('base64')}`;
    const ring = await loadKeyRing({ secretKey, dataDir });
    expect(ring.current).toBe(3);
    expect([...ring.keys].map(([v, k]) => [v, k.toString('hex')])).toEqual([
      [3, k3.toString('hex')],
      [2, k2.toString('hex')],
      [1, k1.toString('hex')],
    ]);
    const older = await loadKeyRing({ secretKey: `1:${k1.toString('hex')},4:${k2.toString('hex')}`, dataDir });
    expect(older.current).toBe(1);
    expect(keyVersionOf(encryptSecret(older, 'x'))).toBe(1);
  });

  it('never writes a key file when the key comes from the environment', async () => {
    await loadKeyRing({ secretKey: k1.toString('base64'), dataDir });
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  const b64 = k1.toString('base64');
  const bad: [string, string][] = [
    ['empty', ''],
    ['blank', '  \n'],
    ['a password', 'correct-horse-battery-staple'],
    ['31 bytes of base64', randomBytes(31).toString('base64')],
    ['33 bytes of base64', randomBytes(33).toString('base64')],
    ['63 hex characters', k2.toString('hex').slice(1)],
    ['65 hex characters', `${k2.toString('hex')}a`],
    ['version 0', `0:${b64}`],
    ['a non-numeric version', `v1:${b64}`],
    ['a fractional version', `1.5:${b64}`],
    ['a duplicate version', `1:${b64},1:${k2.toString('hex')}`],
    ['a trailing comma', `2:${b64},`],
    ['a bad key in the list', `2:${b64},1:${randomBytes(20).toString('hex')}`],
    ['a list entry without a version', `2:${b64},${k2.toString('hex')}`],
  ];

  it.each(bad)('rejects %s, saying what is expected without echoing the value', async (_, secretKey) => {
    const error = await rejection(loadKeyRing({ secretKey, dataDir }));
    expect(error).toBeInstanceOf(KeyRingError);
    expect(error.message).toMatch(/SLIPWAY_SECRET_KEY/);
    expect(error.message).toMatch(/Expected one key \(32 random bytes as base64 or base64url, or 64 hex/);
    for (const part of secretKey.split(/[,:\s]+/).filter((p) => p.length > 3)) {
      expect(error.message).not.toContain(part);
    }
  });
});

describe('addKeyVersion', () => {
  it('adds version max+1 as current, keeping older keys so their secrets still decrypt', async () => {
    const v1 = await loadKeyRing({ dataDir });
    const old = encryptSecret(v1, 'written before rotation', 'env_vars.value');

    const v2 = await addKeyVersion(dataDir);
    expect(v2.current).toBe(2);
    expect(hex(v2, 1)).toBe(hex(v1, 1));
    expect(hex(v2, 2)).not.toBe(hex(v1, 1));
    expect(decryptSecret(v2, old, 'env_vars.value')).toBe('written before rotation');
    expect(keyVersionOf(encryptSecret(v2, 'new'))).toBe(2);

    const reloaded = await loadKeyRing({ dataDir });
    expect(reloaded.current).toBe(2);
    expect([1, 2].map((v) => hex(reloaded, v))).toEqual([hex(v2, 1), hex(v2, 2)]);
    expect(await modeOf(join(dataDir, KEY_FILE))).toBe(0o600);

    const v3 = await addKeyVersion(dataDir);
    expect([...v3.keys.keys()].sort()).toEqual([1, 2, 3]);
    expect(v3.current).toBe(3);
  });

  it('creates the key file first when there is none yet', async () => {
    const ring = await addKeyVersion(dataDir);
    expect([...ring.keys.keys()].sort()).toEqual([1, 2]);
    expect(hex(await loadKeyRing({ dataDir }))).toBe(hex(ring));
  });

  it('loses no key when rotations run concurrently', async () => {
    await loadKeyRing({ dataDir });
    const rings = await Promise.all(Array.from({ length: 5 }, () => addKeyVersion(dataDir)));
    const saved = await loadKeyRing({ dataDir });
    expect([...saved.keys.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rings.map((r) => r.current).sort()).toEqual([2, 3, 4, 5, 6]);
    for (const ring of rings) expect(hex(saved, ring.current)).toBe(hex(ring));
    expect(await readdir(dataDir)).toEqual([KEY_FILE]);
  });
});
