// Reading PEM certificates and keys: a custom upload (chain + private key, every check with a message saying what to
// fix) and the certificates the proxy issued (lib/certificates/collect.ts). node:crypto only, no Prisma, no Next.js.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

import { AppError } from '@/lib/errors';
import { CERTIFICATE_CHAIN_MAX_BYTES, CERTIFICATE_KEY_MAX_BYTES } from '@/lib/validation/rules';

/** At most this much text in the chain field (a leaf and a few intermediates are a few KB each). */
export const MAX_CHAIN_BYTES = CERTIFICATE_CHAIN_MAX_BYTES;
/** At most this much text in the key field (an RSA 8192 key is under 7 KB). */
export const MAX_KEY_BYTES = CERTIFICATE_KEY_MAX_BYTES;
/** A chain longer than this is not a chain a server sends. */
export const MAX_CHAIN_CERTIFICATES = 8;

export type CertificateInfo = {
  /** The chain as stored: each certificate's PEM block, leaf first, one newline between them. */
  chainPem: string;
  /** Leaf expiry (notAfter). */
  expiresAt: Date;
  notBefore: Date;
  /** The leaf issuer's CN, else its O, else the whole issuer line. */
  issuer: string;
  issuerOrganization: string | null;
  /** DNS names of the leaf (subjectAltName; the subject CN when it has none). */
  subjects: string[];
  /** SHA-256 of the leaf's DER, lowercase hex. */
  fingerprint: string;
};

export type CustomCertificate = CertificateInfo & { keyPem: string };

type Field = 'chain' | 'key';
const invalid = (field: Field, message: string) => new AppError('invalid', message, { field });

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
type Block = { label: string; text: string };

function blocks(text: string): Block[] {
  return [...text.replace(/\r\n?/g, '\n').matchAll(BLOCK)].map((m) => ({ label: m[1]!, text: m[0] }));
}

const kb = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

/** The certificates of a PEM chain, leaf first; refuses what is not one. */
export function readChain(text: string, field: Field = 'chain'): X509Certificate[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CHAIN_BYTES) {
    throw invalid(
      field,
      `The certificate chain is ${kb(bytes)}; at most ${kb(MAX_CHAIN_BYTES)} is accepted: paste only the server certificate and its intermediates.`,
    );
  }
  const found = blocks(text);
  if (found.some((b) => b.label.includes('PRIVATE KEY'))) {
    throw invalid(field, 'The certificate field holds a private key: paste the key in the private key field instead.');
  }
  const certs = found.filter((b) => b.label === 'CERTIFICATE');
  if (certs.length === 0) {
    throw invalid(
      field,
      'This is not a PEM certificate: paste the certificate chain, starting with -----BEGIN CERTIFICATE-----.',
    );
  }
  if (certs.length > MAX_CHAIN_CERTIFICATES) {
    throw invalid(field, `The chain has ${certs.length} certificates; at most ${MAX_CHAIN_CERTIFICATES} are accepted.`);
  }
  return certs.map((block, i) => {
    try {
      return new X509Certificate(block.text);
    } catch {
      throw invalid(
        field,
        `Certificate ${i + 1} of the chain is not a valid X.509 certificate: copy it again from your certificate authority.`,
      );
    }
  });
}

/** An unencrypted private key in PEM; refuses a certificate, a public key, an encrypted key, garbage. */
export function readPrivateKey(text: string): KeyObject {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw invalid('key', `The private key is ${kb(bytes)}; at most ${kb(MAX_KEY_BYTES)} is accepted.`);
  }
  const found = blocks(text);
  const keys = found.filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (keys.some((b) => b.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(b.text))) {
    throw invalid(
      'key',
      'The private key is encrypted with a passphrase: decrypt it first (openssl pkey -in key.pem -out plain.pem) and paste the result.',
    );
  }
  if (keys.length !== 1) {
    const what = found.some((b) => b.label === 'CERTIFICATE')
      ? 'This is a certificate, not a private key'
      : found.some((b) => b.label.includes('PUBLIC KEY'))
        ? 'This is a public key, not a private key'
        : keys.length > 1
          ? 'This holds more than one private key'
          : 'This is not a PEM private key';
    throw invalid('key', `${what}: paste the one private key, starting with -----BEGIN PRIVATE KEY-----.`);
  }
  try {
    return createPrivateKey(keys[0]!.text);
  } catch {
    throw invalid('key', 'The private key cannot be read: paste it again, starting with -----BEGIN PRIVATE KEY-----.');
  }
}

/** Whether `key` is the private key of `cert` (their public keys are the same). */
export function keyMatches(cert: X509Certificate, key: KeyObject): boolean {
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  return spki(createPublicKey(key)).equals(spki(cert.publicKey));
}

function field(dn: string, name: string): string | null {
  for (const line of dn.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && line.slice(0, at) === name) return line.slice(at + 1);
  }
  return null;
}

/** DNS names the certificate is for. */
export function subjectsOf(cert: X509Certificate): string[] {
  const names = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  if (names.length) return [...new Set(names)];
  const cn = field(cert.subject, 'CN');
  return cn ? [cn.toLowerCase()] : [];
}

/** What the panel records of a chain: its leaf's issuer, names, validity and fingerprint. */
export function describeChain(chain: X509Certificate[]): CertificateInfo {
  const leaf = chain[0]!;
  const cn = field(leaf.issuer, 'CN');
  const org = field(leaf.issuer, 'O');
  return {
    chainPem: chain.map((c) => c.toString().trim()).join('\n') + '\n',
    expiresAt: new Date(leaf.validTo),
    notBefore: new Date(leaf.validFrom),
    issuer: (cn ?? org ?? leaf.issuer.replace(/\n/g, ', ')).slice(0, 255) || 'unknown',
    issuerOrganization: org,
    subjects: subjectsOf(leaf),
    fingerprint: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

/** Whether the certificate serves `domain` (punycode, lowercase; `*.example.com` needs that very wildcard). */
export function covers(cert: X509Certificate, domain: string): boolean {
  const name = domain.toLowerCase();
  // checkHost matches a name against the certificate's patterns; a wildcard domain is a pattern itself, so the
  // certificate must carry it literally (a certificate for a.example.com does not serve *.example.com).
  if (name.startsWith('*.')) return subjectsOf(cert).includes(name);
  return cert.checkHost(name) !== undefined;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * A custom upload checked: a PEM chain (leaf first, each certificate issued by the next) for `domain`, valid at
 * `now`, and the unencrypted private key of its leaf. Throws AppError('invalid', …, { field: 'chain' | 'key' }).
 */
export function checkCustomCertificate(input: {
  chain: string;
  key: string;
  domain: string;
  now?: Date;
}): CustomCertificate {
  const now = input.now ?? new Date();
  const chain = readChain(input.chain);
  const key = readPrivateKey(input.key);
  const leaf = chain[0]!;
  if (!keyMatches(leaf, key)) {
    throw invalid(
      'key',
      'This private key does not belong to the first certificate of the chain (their public keys differ): paste the key the certificate was issued for, and put the server certificate first.',
    );
  }
  for (let i = 0; i < chain.length - 1; i++) {
    const [child, parent] = [chain[i]!, chain[i + 1]!];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw invalid(
        'chain',
        `The chain is out of order: certificate ${i + 2} did not issue certificate ${i + 1}. Put the server certificate first, then each issuer in turn.`,
      );
    }
  }
  chain.forEach((cert, i) => {
    const what = i === 0 ? 'The certificate' : `Certificate ${i + 1} of the chain (an intermediate)`;
    const [from, to] = [new Date(cert.validFrom), new Date(cert.validTo)];
    if (to.getTime() <= now.getTime()) {
      throw invalid('chain', `${what} expired on ${day(to)}: upload a renewed one.`);
    }
    if (from.getTime() > now.getTime()) {
      throw invalid(
        'chain',
        `${what} is not valid before ${from.toISOString()}: upload it once it is, or check the server clock.`,
      );
    }
  });
  if (!covers(leaf, input.domain)) {
    const names = subjectsOf(leaf);
    throw invalid(
      'chain',
      `The certificate does not cover ${input.domain} (it is for ${names.length ? names.join(', ') : 'no DNS name'}): upload one issued for this domain.`,
    );
  }
  return { ...describeChain(chain), keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
