// The panel's key ring for secrets at rest, loaded once per process: SLIPWAY_SECRET_KEY when set, otherwise the key
// file in the data directory (generated with mode 0600 on first start). lib/crypto stays free of configuration;
// this is where configuration meets it.
import { loadKeyRing, type KeyRing } from '@/lib/crypto';
import { env } from '@/lib/env';

const holder = globalThis as unknown as { __slipwayKeyRing?: Promise<KeyRing> };

export function getKeyRing(): Promise<KeyRing> {
  holder.__slipwayKeyRing ??= (async () => {
    const config = env();
    return loadKeyRing({ secretKey: config.SLIPWAY_SECRET_KEY, dataDir: config.SLIPWAY_DATA_DIR });
  })().catch((error: unknown) => {
    holder.__slipwayKeyRing = undefined;
    throw error;
  });
  return holder.__slipwayKeyRing;
}

/** Forget the loaded ring (after `npm run secrets:rotate` in this process, or in tests). */
export function resetKeyRing(): void {
  holder.__slipwayKeyRing = undefined;
}
