// Secrets at rest: AES-256-GCM, stored as `enc:v1:<keyVersion>:<base64url(iv || ciphertext || tag)>`.
// The database CHECK constraints match that text, so the format is frozen; a new layout needs a new `v2` prefix.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Key version → 32-byte key. `current` is the version new ciphertexts are written with. */
export type KeyRing = { current: number; keys: Map<number, Buffer> };

export type SecretErrorCode = 'malformed' | 'unknown_key' | 'tampered';

// Messages are built only from fixed text and numbers parsed here, so no plaintext or key can reach a log.
export class SecretError extends Error {
  readonly code: SecretErrorCode;

  constructor(code: SecretErrorCode, message: string) {
    super(message);
    this.name = 'SecretError';
    this.code = code;
  }
}

export const KEY_BYTES = 32;
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = /^enc:v1:([1-9][0-9]*):([A-Za-z0-9_-]+)$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type Parsed = { version: number; iv: Buffer; body: Buffer; tag: Buffer };

function parse(ciphertext: string): Parsed {
  const match = typeof ciphertext === 'string' ? FORMAT.exec(ciphertext) : null;
  const [, versionText, payloadText] = match ?? [];
  if (versionText === undefined || payloadText === undefined) {
    throw new SecretError('malformed', 'Value is not an encrypted secret (expected enc:v1:<keyVersion>:<base64url>)');
  }
  const version = Number(versionText);
  const payload = Buffer.from(payloadText, 'base64url');
  // Requiring the canonical spelling gives each ciphertext exactly one text form: the spare bits of the last
  // base64 character cannot be altered without notice, and the stored value can be compared as a string.
  if (!Number.isSafeInteger(version) || payload.toString('base64url') !== payloadText) {
    throw new SecretError('malformed', 'Encrypted secret has an invalid key version or payload encoding');
  }
  if (payload.length < IV_BYTES + TAG_BYTES) {
    throw new SecretError('malformed', `Encrypted secret payload is ${payload.length} bytes; at least 28 are needed`);
  }
  return {
    version,
    iv: payload.subarray(0, IV_BYTES),
    body: payload.subarray(IV_BYTES, payload.length - TAG_BYTES),
    tag: payload.subarray(payload.length - TAG_BYTES),
  };
}

function keyFor(ring: KeyRing, version: number): Buffer {
  const key = ring.keys.get(version);
  if (!key) {
    const known = [...ring.keys.keys()].join(', ') || 'none';
    throw new SecretError('unknown_key', `No key with version ${version} in the key ring (known versions: ${known})`);
  }
  if (key.length !== KEY_BYTES) {
    throw new SecretError('unknown_key', `Key version ${version} is ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
  }
  return key;
}

// UTF-8 cannot represent a lone surrogate; Buffer.from would silently swap it for U+FFFD, so the value that
// came back from decryption would not be the one that was stored.
function utf8(text: string, what: string): Buffer {
  if (LONE_SURROGATE.test(text)) {
    throw new SecretError('malformed', `The ${what} is not well-formed Unicode (it contains a lone surrogate)`);
  }
  return Buffer.from(text, 'utf8');
}

/** Encrypts with the ring's current key. `aad` binds the ciphertext to its context, e.g. `env_vars.value`. */
export function encryptSecret(ring: KeyRing, plaintext: string, aad?: string): string {
  const version = ring.current;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new SecretError('unknown_key', `Key ring current version must be a positive integer, got ${version}`);
  }
  const key = keyFor(ring, version);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  if (aad !== undefined) cipher.setAAD(utf8(aad, 'associated data'));
  const body = Buffer.concat([cipher.update(utf8(plaintext, 'plaintext')), cipher.final()]);
  const payload = Buffer.concat([iv, body, cipher.getAuthTag()]);
  return `enc:v1:${version}:${payload.toString('base64url')}`;
}

/** Decrypts with whichever key version the ciphertext names; the same `aad` as at encryption is required. */
export function decryptSecret(ring: KeyRing, ciphertext: string, aad?: string): string {
  const { version, iv, body, tag } = parse(ciphertext);
  const key = keyFor(ring, version);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  if (aad !== undefined) decipher.setAAD(utf8(aad, 'associated data'));
  try {
    // update() output is unauthenticated until final() succeeds, so nothing is returned before that.
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError(
      'tampered',
      `Encrypted secret (key version ${version}) failed authentication: it was altered, or was written with ` +
        'another key or for another context (associated data)',
    );
  }
}

/** True when `value` is a well-formed `enc:v1` ciphertext. Authenticity is only established by decrypting. */
export function isEncrypted(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

export function keyVersionOf(ciphertext: string): number {
  return parse(ciphertext).version;
}

/** Moves a ciphertext to the ring's current key; one already on it comes back unchanged. */
export function reencryptSecret(ring: KeyRing, ciphertext: string, aad?: string): string {
  // Decrypting even when already current makes a rotation run report damaged values instead of skipping them.
  const plaintext = decryptSecret(ring, ciphertext, aad);
  if (keyVersionOf(ciphertext) === ring.current) return ciphertext;
  return encryptSecret(ring, plaintext, aad);
}
