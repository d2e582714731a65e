import { createDecipheriv, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  decryptSecret,
  encryptSecret,
  isEncrypted,
  keyVersionOf,
  reencryptSecret,
  SecretError,
  type KeyRing,
  type SecretErrorCode,
} from './secrets';

const FORMAT = /^enc:v1:[0-9]+:[A-Za-z0-9_-]+$/;

function ringOf(current: number, ...others: number[]): KeyRing {
  return { current, keys: new Map([current, ...others].map((v) => [v, randomBytes(32)])) };
}

function payloadOf(ciphertext: string): Buffer {
  return Buffer.from(ciphertext.split(':')[3] ?? '', 'base64url');
}

function withPayload(ciphertext: string, payload: Buffer): string {
  return `${ciphertext.split(':').slice(0, 3).join(':')}:${payload.toString('base64url')}`;
}

function errorOf(fn: () => unknown): SecretError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretError) return error;
    throw error;
  }
  throw new Error('expected a SecretError, but the call succeeded');
}

const codeOf = (fn: () => unknown): SecretErrorCode => errorOf(fn).code;

describe('encryptSecret / decryptSecret', () => {
  const ring = ringOf(1);
  const values: [string, string][] = [
    ['empty string', ''],
    ['ascii', 'postgres://app:hunter2@db:5432/app'],
    ['unicode', 'pässwörd 🔑 密码 \u0000 tab\tnew\nline'],
    ['1 MB', randomBytes(768 * 1024).toString('base64')],
  ];

  it.each(values)('round-trips %s', (_, plaintext) => {
    const ciphertext = encryptSecret(ring, plaintext);
    expect(ciphertext).toMatch(FORMAT);
    expect(decryptSecret(ring, ciphertext)).toBe(plaintext);
  });

  it('lays the payload out as iv(12) || AES-256-GCM ciphertext || tag(16)', () => {
    const plaintext = 'layout check ✓';
    const ciphertext = encryptSecret(ring, plaintext, 'env_vars.value');
    expect(ciphertext.startsWith('enc:v1:1:')).toBe(true);
    const payload = payloadOf(ciphertext);
    expect(payload.length).toBe(12 + Buffer.byteLength(plaintext) + 16);
    const decipher = createDecipheriv('aes-256-gcm', ring.keys.get(1)!, payload.subarray(0, 12));
    decipher.setAuthTag(payload.subarray(-16));
    decipher.setAAD(Buffer.from('env_vars.value'));
    const body = Buffer.concat([decipher.update(payload.subarray(12, -16)), decipher.final()]);
    expect(body.toString('utf8')).toBe(plaintext);
  });

  it('uses a fresh IV each time, so equal plaintexts give different ciphertexts', () => {
    const a = encryptSecret(ring, 'same');
    const b = encryptSecret(ring, 'same');
    expect(a).not.toBe(b);
    expect(payloadOf(a).subarray(0, 12).equals(payloadOf(b).subarray(0, 12))).toBe(false);
    expect(decryptSecret(ring, a)).toBe(decryptSecret(ring, b));
  });

  it('writes the current key version into the text', () => {
    const ring7 = ringOf(7, 3);
    const ciphertext = encryptSecret(ring7, 'x');
    expect(ciphertext).toMatch(/^enc:v1:7:/);
    expect(keyVersionOf(ciphertext)).toBe(7);
  });

  it('binds the ciphertext to its associated data', () => {
    const bound = encryptSecret(ring, 's3cret', 'env_vars.value');
    expect(decryptSecret(ring, bound, 'env_vars.value')).toBe('s3cret');
    expect(codeOf(() => decryptSecret(ring, bound, 'registries.password'))).toBe('tampered');
    expect(codeOf(() => decryptSecret(ring, bound))).toBe('tampered');
    const unbound = encryptSecret(ring, 's3cret');
    expect(codeOf(() => decryptSecret(ring, unbound, 'env_vars.value'))).toBe('tampered');
  });

  it('detects a flipped bit in every byte of iv, body and tag', () => {
    const ciphertext = encryptSecret(ring, 'a secret worth protecting', 'ctx');
    const payload = payloadOf(ciphertext);
    const region = (i: number) => (i < 12 ? 'iv' : i >= payload.length - 16 ? 'tag' : 'body');
    const results = [...payload.keys()].map((i) => {
      const altered = Buffer.from(payload);
      altered[i]! ^= 0x01;
      return `${region(i)}[${i}]: ${codeOf(() => decryptSecret(ring, withPayload(ciphertext, altered), 'ctx'))}`;
    });
    expect(results).toEqual([...payload.keys()].map((i) => `${region(i)}[${i}]: tampered`));
  });

  it('rejects a wrong key of the same version as tampered', () => {
    const ciphertext = encryptSecret(ring, 'value');
    expect(codeOf(() => decryptSecret(ringOf(1), ciphertext))).toBe('tampered');
  });

  it('keeps plaintext and key material out of error messages', () => {
    const plaintext = 'do-not-log-this-value';
    const ciphertext = encryptSecret(ring, plaintext);
    const key = ring.keys.get(1)!;
    for (const attempt of [() => decryptSecret(ringOf(1), ciphertext), () => decryptSecret(ring, ciphertext, 'x')]) {
      const { message } = errorOf(attempt);
      expect(message).toMatch(/failed authentication/);
      for (const secret of [plaintext, key.toString('hex'), key.toString('base64'), key.toString('base64url')]) {
        expect(message).not.toContain(secret);
      }
    }
  });

  it('refuses a plaintext that UTF-8 cannot carry instead of silently altering it', () => {
    expect(codeOf(() => encryptSecret(ring, 'abc\uD800def'))).toBe('malformed');
    expect(codeOf(() => encryptSecret(ring, '\uDC00'))).toBe('malformed');
    expect(decryptSecret(ring, encryptSecret(ring, '\uD83D\uDD11'))).toBe('🔑');
  });

  it('fails with unknown_key when the ring has no usable current key', () => {
    expect(codeOf(() => encryptSecret({ current: 2, keys: new Map([[1, randomBytes(32)]]) }, 'x'))).toBe('unknown_key');
    expect(codeOf(() => encryptSecret({ current: 1, keys: new Map([[1, randomBytes(16)]]) }, 'x'))).toBe('unknown_key');
    expect(codeOf(() => encryptSecret({ current: 0, keys: new Map([[0, randomBytes(32)]]) }, 'x'))).toBe('unknown_key');
  });
});

describe('hostile ciphertexts', () => {
  const ring = ringOf(1);
  const valid = encryptSecret(ring, 'value');
  const payload = payloadOf(valid);
  const body = valid.split(':')[3]!;

  // 28-byte payloads spell their last byte with 2 characters, leaving 4 spare bits in the last one.
  const empty = encryptSecret(ring, '');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(empty.at(-1)!);
  const nonCanonical = `${empty.slice(0, -1)}${alphabet[last ^ 1]}`;

  const cases: [string, string, SecretErrorCode][] = [
    ['empty', '', 'malformed'],
    ['plain text', 'hunter2', 'malformed'],
    ['prefix only', 'enc:v1:', 'malformed'],
    ['no payload', 'enc:v1:1:', 'malformed'],
    ['no version', `enc:v1::${body}`, 'malformed'],
    ['format v9', `enc:v9:1:${body}`, 'malformed'],
    ['version 0', `enc:v1:0:${body}`, 'malformed'],
    ['leading zero', `enc:v1:01:${body}`, 'malformed'],
    ['negative version', `enc:v1:-1:${body}`, 'malformed'],
    ['huge version', `enc:v1:99999999999999999999:${body}`, 'malformed'],
    ['standard base64', 'enc:v1:1:ab+/cd', 'malformed'],
    ['padding', `${valid}=`, 'malformed'],
    ['trailing newline', `${valid}\n`, 'malformed'],
    ['leading space', ` ${valid}`, 'malformed'],
    ['27-byte payload', `enc:v1:1:${Buffer.alloc(27).toString('base64url')}`, 'malformed'],
    ['non-canonical base64url', nonCanonical, 'malformed'],
    ['payload cut by one byte', withPayload(valid, payload.subarray(0, -1)), 'tampered'],
    ['payload cut to iv + tag', withPayload(valid, payload.subarray(0, 28)), 'tampered'],
    ['extra byte appended', withPayload(valid, Buffer.concat([payload, Buffer.from([0])])), 'tampered'],
    ['zero payload', `enc:v1:1:${Buffer.alloc(28).toString('base64url')}`, 'tampered'],
    ['unknown key version', `enc:v1:9:${body}`, 'unknown_key'],
  ];

  it.each(cases)('%s → %s', (_, ciphertext, code) => {
    expect(codeOf(() => decryptSecret(ring, ciphertext))).toBe(code);
    expect(isEncrypted(ciphertext)).toBe(code !== 'malformed');
  });

  it('accepts the canonical form the non-canonical case was derived from', () => {
    expect(decryptSecret(ring, empty)).toBe('');
    expect(nonCanonical).not.toBe(empty);
    expect(Buffer.from(nonCanonical.split(':')[3]!, 'base64url').equals(payloadOf(empty))).toBe(true);
  });
});

describe('isEncrypted / keyVersionOf', () => {
  it('recognises only well-formed ciphertexts', () => {
    const ring = ringOf(4);
    expect(isEncrypted(encryptSecret(ring, 'x'))).toBe(true);
    for (const value of ['x', 'enc:v1:4', 'enc:v1:4:', undefined, null, 42, { value: 'enc:v1:1:x' }]) {
      expect(isEncrypted(value)).toBe(false);
    }
  });

  it('throws malformed for a value that is not a ciphertext', () => {
    expect(codeOf(() => keyVersionOf('enc:v1:'))).toBe('malformed');
  });
});

describe('reencryptSecret', () => {
  const old = ringOf(1);
  const rotated: KeyRing = { current: 2, keys: new Map([...old.keys, [2, randomBytes(32)]]) };

  it('moves an old-version ciphertext to the current key, keeping its associated data', () => {
    const before = encryptSecret(old, 'db-password', 'env_vars.value');
    const after = reencryptSecret(rotated, before, 'env_vars.value');
    expect(keyVersionOf(after)).toBe(2);
    const onlyV2: KeyRing = { current: 2, keys: new Map([[2, rotated.keys.get(2)!]]) };
    expect(decryptSecret(onlyV2, after, 'env_vars.value')).toBe('db-password');
    expect(codeOf(() => decryptSecret(onlyV2, after))).toBe('tampered');
  });

  it('returns a current-version ciphertext unchanged', () => {
    const current = encryptSecret(rotated, 'already new', 'ctx');
    expect(reencryptSecret(rotated, current, 'ctx')).toBe(current);
  });

  it('still authenticates values it would leave unchanged', () => {
    const current = encryptSecret(rotated, 'already new', 'ctx');
    const payload = payloadOf(current);
    payload[20]! ^= 0x80;
    expect(codeOf(() => reencryptSecret(rotated, withPayload(current, payload), 'ctx'))).toBe('tampered');
    expect(codeOf(() => reencryptSecret(rotated, current, 'other'))).toBe('tampered');
  });
});
