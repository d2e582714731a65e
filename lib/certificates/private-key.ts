// Certificate private keys at rest: AES-256-GCM through lib/crypto with the panel's key ring, bound to their column
// (the associated data lib/secrets/rotate.ts re-encrypts them with). Plaintext leaves lib/certificates only for the
// proxy's config and the collector's comparison, never for a page or an action.
import { decryptSecret, encryptSecret, type KeyRing } from '@/lib/crypto';
import { getKeyRing } from '@/lib/secrets/key-ring';

export const PRIVATE_KEY_AAD = 'certificates.private_key';

/** The key ring to use: the panel's unless a caller passes one (tests, scripts). */
export type KeyOptions = { ring?: KeyRing };

export async function encryptPrivateKey(options: KeyOptions, pem: string): Promise<string> {
  return encryptSecret(options.ring ?? (await getKeyRing()), pem, PRIVATE_KEY_AAD);
}

export async function decryptPrivateKey(options: KeyOptions, stored: string): Promise<string> {
  return decryptSecret(options.ring ?? (await getKeyRing()), stored, PRIVATE_KEY_AAD);
}
