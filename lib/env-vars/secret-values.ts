// Encrypting and decrypting env var values, for lib/env-vars only: a secret's ciphertext or plaintext leaves that
// module only through revealSecret and exportDotenv. The key ring is the panel's (getKeyRing) unless a caller passes
// one (tests, scripts).
import { decryptSecret, encryptSecret, SecretError, type KeyRing } from '@/lib/crypto';
import { AppError } from '@/lib/errors';
import { getKeyRing, resetKeyRing } from '@/lib/secrets/key-ring';

export const ENV_VALUE_AAD = 'env_vars.value';

export type KeyOptions = { ring?: KeyRing };

export async function encryptValue(options: KeyOptions, value: string): Promise<string> {
  return encryptSecret(options.ring ?? (await getKeyRing()), value, ENV_VALUE_AAD);
}

/**
 * The plaintext of a stored secret. A key version this process has not loaded means `npm run secrets:rotate` added
 * one since start: the key file is read again once. Failures say which key, never what the value holds.
 */
export async function decryptValue(options: KeyOptions, key: string, stored: string): Promise<string> {
  const attempt = async (ring: KeyRing) => decryptSecret(ring, stored, ENV_VALUE_AAD);
  try {
    try {
      return await attempt(options.ring ?? (await getKeyRing()));
    } catch (error) {
      if (options.ring || !(error instanceof SecretError) || error.code !== 'unknown_key') throw error;
      resetKeyRing();
      return await attempt(await getKeyRing());
    }
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    throw new AppError(
      'conflict',
      `The stored value of ${key} cannot be decrypted with this panel's keys (${error.message}). ` +
        'Set it again, or restore the key file or SLIPWAY_SECRET_KEY it was written with.',
    );
  }
}
