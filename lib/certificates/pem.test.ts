import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AppError } from '@/lib/errors';

import { checkCustomCertificate, MAX_CHAIN_BYTES } from './pem';
import { makeTestPki, type TestPair, type TestPki } from './testing';

let pki: TestPki;
let shop: TestPair;
let wildcard: TestPair;
let other: TestPair;
const DAY = 86_400_000;

beforeAll(async () => {
  pki = await makeTestPki();
  shop = await pki.leaf(['shop.example.com', 'www.shop.example.com']);
  wildcard = await pki.leaf(['*.example.org']);
  other = await pki.leaf(['other.example.com']);
});
afterAll(() => pki?.cleanup());

const chainOf = (leaf: TestPair) => `${leaf.cert}${pki.intermediate.cert}`;

function refused(input: Parameters<typeof checkCustomCertificate>[0]): AppError {
  try {
    checkCustomCertificate(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

describe('checkCustomCertificate', () => {
  it('accepts a leaf and its intermediate with the matching key, and describes the leaf', () => {
    const got = checkCustomCertificate({ chain: chainOf(shop), key: shop.key, domain: 'shop.example.com' });
    const leaf = new X509Certificate(shop.cert);
    expect(got.issuer).toBe('Slipway Test Intermediate');
    expect(got.issuerOrganization).toBe('Slipway Test');
    expect(got.subjects).toEqual(['shop.example.com', 'www.shop.example.com']);
    expect(got.expiresAt.getTime()).toBe(new Date(leaf.validTo).getTime());
    expect(got.fingerprint).toBe(createHash('sha256').update(leaf.raw).digest('hex'));
    expect(got.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(got.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('accepts CRLF line ends and a wildcard certificate for a name under it, and the wildcard domain itself', () => {
    const crlf = chainOf(wildcard).replace(/\n/g, '\r\n');
    expect(checkCustomCertificate({ chain: crlf, key: wildcard.key, domain: 'a.example.org' }).subjects).toEqual([
      '*.example.org',
    ]);
    expect(() => checkCustomCertificate({ chain: crlf, key: wildcard.key, domain: '*.example.org' })).not.toThrow();
  });

  it('accepts an RSA key in PKCS#1 form', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // A key of another certificate: refused for not matching, which proves it was read as a private key.
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(refused({ chain: chainOf(shop), key: pkcs1, domain: 'shop.example.com' }).message).toMatch(
      /does not belong to the first certificate/,
    );
  });

  const NOT_PEM = /This is not a PEM certificate/;
  it.each([
    ['empty', () => ''],
    ['plain text', () => 'hello'],
    ['a private key', () => shop.key],
    ['base64 without armour', () => shop.cert.split('\n').slice(1, -2).join('\n')],
  ])('refuses a chain that is %s', (_name, chain) => {
    const error = refused({ chain: chain(), key: shop.key, domain: 'shop.example.com' });
    expect(error.options.field).toBe('chain');
    expect(error.message).toMatch(_name === 'a private key' ? /holds a private key/ : NOT_PEM);
  });

  it('refuses a corrupt certificate block', () => {
    const broken = shop.cert.replace(/\n(.{10})/, '\nAAAAAAAAAA');
    expect(refused({ chain: broken, key: shop.key, domain: 'shop.example.com' }).message).toMatch(
      /Certificate 1 of the chain is not a valid X.509 certificate/,
    );
  });

  it('refuses a chain larger than the limit', () => {
    const big = chainOf(shop) + '\n'.repeat(MAX_CHAIN_BYTES);
    expect(refused({ chain: big, key: shop.key, domain: 'shop.example.com' }).message).toMatch(
      /at most 64 KB is accepted/,
    );
  });

  it.each([
    ['a certificate', () => shop.cert, /This is a certificate, not a private key/],
    [
      'a public key',
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
      /This is a public key, not a private key/,
    ],
    ['garbage', () => 'nope', /This is not a PEM private key/],
    [
      'encrypted (PKCS#8)',
      () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: 'secret',
        }),
      /encrypted with a passphrase/,
    ],
    [
      'encrypted (traditional)',
      () =>
        generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
          type: 'pkcs1',
          format: 'pem',
          cipher: 'aes-128-cbc',
          passphrase: 'secret',
        }),
      /encrypted with a passphrase/,
    ],
    ['the key of another certificate', () => other.key, /does not belong to the first certificate/],
  ])('refuses a key that is %s', (_name, key, message) => {
    const error = refused({ chain: chainOf(shop), key: String(key()), domain: 'shop.example.com' });
    expect(error.options.field).toBe('key');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['another name', 'shop.example.net'],
    ['a name under it', 'a.shop.example.com'],
    ['the wildcard of its domain', '*.example.com'],
  ])('refuses a certificate that does not cover %s', (_name, domain) => {
    const error = refused({ chain: chainOf(shop), key: shop.key, domain });
    expect(error.options.field).toBe('chain');
    expect(error.message).toBe(
      `The certificate does not cover ${domain} (it is for shop.example.com, www.shop.example.com): upload one issued for this domain.`,
    );
  });

  it('refuses a wildcard certificate for a name two labels down', () => {
    expect(refused({ chain: chainOf(wildcard), key: wildcard.key, domain: 'a.b.example.org' }).message).toMatch(
      /does not cover a\.b\.example\.org/,
    );
  });

  it('refuses an expired certificate and one not valid yet', () => {
    const leaf = new X509Certificate(shop.cert);
    const after = new Date(new Date(leaf.validTo).getTime() + DAY);
    expect(refused({ chain: chainOf(shop), key: shop.key, domain: 'shop.example.com', now: after }).message).toMatch(
      /^The certificate expired on \d{4}-\d\d-\d\d: upload a renewed one\.$/,
    );
    const before = new Date(new Date(leaf.validFrom).getTime() - DAY);
    expect(refused({ chain: chainOf(shop), key: shop.key, domain: 'shop.example.com', now: before }).message).toMatch(
      /^The certificate is not valid before/,
    );
  });

  it('refuses an expired intermediate, naming it', () => {
    // A leaf of 90 days under the 50-day intermediate: the day after the intermediate's end only it has expired.
    const now = new Date(new Date(new X509Certificate(pki.intermediate.cert).validTo).getTime() + DAY);
    return pki.leaf(['late.example.com'], { days: 90 }).then((late) => {
      const error = refused({ chain: chainOf(late), key: late.key, domain: 'late.example.com', now });
      expect(error.message).toMatch(/^Certificate 2 of the chain \(an intermediate\) expired on/);
    });
  });

  it('refuses a chain out of order, and a self-signed leaf followed by an unrelated certificate', async () => {
    const reversed = `${pki.intermediate.cert}${shop.cert}`;
    // The key matches the leaf only when the leaf comes first, so put it first and a wrong issuer second.
    expect(refused({ chain: reversed, key: pki.intermediate.key, domain: 'shop.example.com' }).message).toMatch(
      /out of order: certificate 2 did not issue certificate 1/,
    );
    const skipped = `${shop.cert}${pki.root.cert}`;
    expect(refused({ chain: skipped, key: shop.key, domain: 'shop.example.com' }).message).toMatch(
      /out of order: certificate 2 did not issue certificate 1/,
    );
    const self = await pki.selfSigned(['self.example.com']);
    expect(checkCustomCertificate({ chain: self.cert, key: self.key, domain: 'self.example.com' }).subjects).toEqual([
      'self.example.com',
    ]);
  });
});
