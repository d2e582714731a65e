// The panel's key ring for secrets at rest: SLIPWAY_SECRET_KEY when set, otherwise the key file in the data
// directory (generated with mode 0600 on first start). lib/crypto stays free of configuration; this is where
// configuration meets it. The key file is re-read when it changes on disk, so after `npm run secrets:rotate` a
// running panel encrypts with the new key and decrypts values already moved to it, without a restart.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { decryptSecret, encryptSecret, KEY_FILE, loadKeyRing, type KeyRing } from '@/lib/crypto';
import { env } from '@/lib/env';
import { forget, remember } from '@/lib/server/remember';

type Loaded = { ring: KeyRing; stamp: string | null };
const KEY_RING = 'key-ring';

// Size and modification time: a rotation rewrites the file with one more key, so both change.
async function fileStamp(dataDir: string): Promise<string | null> {
  // No file yet: no stamp (null). Any other failure gives no stamp either, and is said.
  const info = await stat(join(dataDir, KEY_FILE)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') console.error(`[slipway] could not stat the key file in ${dataDir}`, error);
    return null;
  });
  return info ? `${info.size}:${info.mtimeMs}` : null;
}

async function load(): Promise<Loaded> {
  const config = env();
  if (config.SLIPWAY_SECRET_KEY !== undefined) {
    return {
      ring: await loadKeyRing({ secretKey: config.SLIPWAY_SECRET_KEY, dataDir: config.SLIPWAY_DATA_DIR }),
      stamp: null,
    };
  }
  const ring = await loadKeyRing({ dataDir: config.SLIPWAY_DATA_DIR });
  return { ring, stamp: await fileStamp(config.SLIPWAY_DATA_DIR) };
}

export async function getKeyRing(): Promise<KeyRing> {
  // A load that failed is forgotten by remember(): the next call reads the key again.
  const pending = remember(KEY_RING, load);
  const loaded = await pending;
  if (loaded.stamp !== null && (await fileStamp(env().SLIPWAY_DATA_DIR)) !== loaded.stamp) {
    forget(KEY_RING, pending);
    return getKeyRing();
  }
  return loaded.ring;
}

/** Forget the loaded ring (tests, or after replacing SLIPWAY_SECRET_KEY in this process). */
export function resetKeyRing(): void {
  forget(KEY_RING);
}

/** Encrypts with the panel's current key; `aad` names the column (e.g. 'databases.connection_string'). */
export async function encryptStored(plaintext: string, aad: string): Promise<string> {
  return encryptSecret(await getKeyRing(), plaintext, aad);
}

/** Decrypts a value stored by encryptStored; throws lib/crypto's SecretError (never holding the value) on failure. */
export async function decryptStored(ciphertext: string, aad: string): Promise<string> {
  return decryptSecret(await getKeyRing(), ciphertext, aad);
}
