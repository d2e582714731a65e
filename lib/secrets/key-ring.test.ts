// The panel's key ring follows the key file on disk: after a rotation adds a key, the same process encrypts with it
// and still reads values written with the old one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addKeyVersion, keyVersionOf } from '@/lib/crypto';

import { decryptStored, encryptStored, getKeyRing, resetKeyRing } from './key-ring';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-keyring-'));
  // env() parses process.env once per module graph: set the data directory before the first use.
  process.env.SLIPWAY_DATA_DIR = dir;
  delete process.env.SLIPWAY_SECRET_KEY;
  resetKeyRing();
});

afterAll(async () => {
  resetKeyRing();
  await rm(dir, { recursive: true, force: true });
});

describe('getKeyRing', () => {
  it('creates the key file on first use and returns the same ring while the file is unchanged', async () => {
    const first = await getKeyRing();
    expect(first.current).toBe(1);
    expect(await getKeyRing()).toBe(first);
  });

  it('picks up a key added by a rotation without a restart, and still decrypts older values', async () => {
    const old = await encryptStored('s3cret', 'env_vars.value');
    expect(keyVersionOf(old)).toBe(1);
    await addKeyVersion(dir);
    const fresh = await encryptStored('s3cret', 'env_vars.value');
    expect(keyVersionOf(fresh)).toBe(2);
    expect(await decryptStored(old, 'env_vars.value')).toBe('s3cret');
    expect(await decryptStored(fresh, 'env_vars.value')).toBe('s3cret');
  });

  it('refuses a value under another column name (the associated data)', async () => {
    const value = await encryptStored('s3cret', 'env_vars.value');
    await expect(decryptStored(value, 'databases.connection_string')).rejects.toThrow();
  });
});
