// Is this delivery from the git provider, unchanged? Checked on the raw body bytes, before anything parses them,
// exactly as each provider signs (re-serialized JSON never verifies), and compared in constant time: digests of equal
// length go to timingSafeEqual, so neither the secret nor how much of a guess was right leaks through timing.
// Reasons say what to fix and never repeat the secret or the header's value.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { isProvider, PROVIDER_LABELS, readHeader, type Provider, type WebhookHeaders } from './headers';

export { PROVIDERS, isProvider, type Provider, type WebhookHeaders } from './headers';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const HEX_64 = /^[0-9a-f]{64}$/i;
const PREFIXED_RULE = 'expected sha256= followed by 64 hex digits';

const hmacSha256 = (body: Uint8Array, secret: string): Buffer => createHmac('sha256', secret).update(body).digest();
const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const fail = (reason: string): SignatureCheck => ({ ok: false, reason });

/** `given` is 64 hex digits (checked by the caller), so both sides are 32 bytes. */
function digestMatches(expected: Buffer, givenHex: string): boolean {
  const given = Buffer.from(givenHex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The hex digest of a `sha256=<hex>` header value, or why it is not one. */
function prefixedDigest(header: string, value: string): { hex: string } | { reason: string } {
  // Only a known algorithm name is repeated back; anything else in the header is never echoed.
  const algorithm = /^(sha1|sha224|sha384|sha512|md5)=/i.exec(value)?.[1];
  if (algorithm !== undefined)
    return { reason: `${header} is signed with ${algorithm.toLowerCase()}, which is not accepted: ${PREFIXED_RULE}` };
  const hex = value.startsWith('sha256=') ? value.slice('sha256='.length) : '';
  if (!HEX_64.test(hex)) return { reason: `malformed ${header} signature: ${PREFIXED_RULE}` };
  return { hex };
}

function mismatch(provider: Provider): SignatureCheck {
  return fail(
    `signature does not match: the ${PROVIDER_LABELS[provider]} webhook's secret is not this application's webhook secret, ` +
      'or the body was changed on the way (a proxy that re-encodes JSON breaks the signature)',
  );
}

function missing(provider: Provider, header: string, extra = ''): SignatureCheck {
  return fail(
    `missing ${header} header${extra}: give the ${PROVIDER_LABELS[provider]} webhook the secret Slipway shows for this application`,
  );
}

function verifyPrefixed(
  provider: Provider,
  header: string,
  value: string,
  body: Uint8Array,
  secret: string,
): SignatureCheck {
  const parsed = prefixedDigest(header, value);
  if ('reason' in parsed) return fail(parsed.reason);
  return digestMatches(hmacSha256(body, secret), parsed.hex) ? { ok: true } : mismatch(provider);
}

/**
 * Checks a delivery's signature (GitHub, Bitbucket, Gitea: HMAC-SHA256 of the body) or token (GitLab) against the
 * application's webhook secret. `body` must be the bytes as received.
 */
export function verifySignature(
  provider: Provider,
  headers: WebhookHeaders,
  body: Uint8Array,
  secret: string,
): SignatureCheck {
  if (!isProvider(provider)) return fail('unknown git provider: use github, gitlab, bitbucket or gitea');
  // Anyone can compute an HMAC under an empty key.
  if (secret === '')
    return fail('this application has no webhook secret: generate one in Slipway and set it on the webhook');
  switch (provider) {
    case 'github': {
      const value = readHeader(headers, 'X-Hub-Signature-256');
      if (value === undefined) {
        const sha1Only = readHeader(headers, 'X-Hub-Signature') !== undefined;
        return missing(
          provider,
          'X-Hub-Signature-256',
          sha1Only ? ' (the SHA-1 X-Hub-Signature header alone is not accepted)' : '',
        );
      }
      return verifyPrefixed(provider, 'X-Hub-Signature-256', value, body, secret);
    }
    case 'bitbucket': {
      const value = readHeader(headers, 'X-Hub-Signature');
      if (value === undefined) return missing(provider, 'X-Hub-Signature');
      return verifyPrefixed(provider, 'X-Hub-Signature', value, body, secret);
    }
    case 'gitea': {
      // Gitea sends the bare hex in X-Gitea-Signature (empty when the webhook has no secret), and the same digest as
      // X-Hub-Signature-256. A present X-Gitea-Signature is the one checked: a bad one is not rescued.
      const value = readHeader(headers, 'X-Gitea-Signature');
      if (value === undefined) {
        const hub = readHeader(headers, 'X-Hub-Signature-256');
        if (hub === undefined || hub === 'sha256=')
          return missing(provider, 'X-Gitea-Signature', ' (Gitea signs only when the webhook has a secret)');
        return verifyPrefixed(provider, 'X-Hub-Signature-256', hub, body, secret);
      }
      if (!HEX_64.test(value)) return fail('malformed X-Gitea-Signature signature: expected 64 hex digits');
      return digestMatches(hmacSha256(body, secret), value) ? { ok: true } : mismatch(provider);
    }
    case 'gitlab': {
      // GitLab sends the secret itself. Hashing both sides gives equal-length buffers whatever was sent.
      const token = readHeader(headers, 'X-Gitlab-Token');
      if (token === undefined) return missing(provider, 'X-Gitlab-Token');
      if (timingSafeEqual(sha256(token), sha256(secret))) return { ok: true };
      return fail(
        "X-Gitlab-Token does not match: set the GitLab webhook's secret token to this application's webhook secret",
      );
    }
  }
}

/**
 * The authentication headers `provider` would send with `body` under `secret`: for tests, the bench and redelivering
 * a stored body. GitLab's is the token itself, so keep its result out of logs.
 */
export function signBody(provider: Provider, body: Uint8Array, secret: string): Record<string, string> {
  if (provider === 'gitlab') return { 'X-Gitlab-Token': secret };
  const hex = hmacSha256(body, secret).toString('hex');
  switch (provider) {
    case 'github':
      return { 'X-Hub-Signature-256': `sha256=${hex}` };
    case 'bitbucket':
      return { 'X-Hub-Signature': `sha256=${hex}` };
    case 'gitea':
      return { 'X-Gitea-Signature': hex, 'X-Hub-Signature-256': `sha256=${hex}` };
  }
}
