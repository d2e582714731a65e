// isCrossOrigin: Next.js's server-action rule (Origin's host against X-Forwarded-Host, then Host, then the allowed
// patterns), one row per case.
import { describe, expect, it } from 'vitest';

import { isCrossOrigin } from './origin';

const headers = (values: Record<string, string>) => new Headers(values);

describe('isCrossOrigin', () => {
  it.each([
    ['no Origin (a same-origin GET, curl)', { host: 'panel.test' }, false],
    ['the same host', { origin: 'https://panel.test', host: 'panel.test' }, false],
    ['the same host and port', { origin: 'http://panel.test:3000', host: 'panel.test:3000' }, false],
    ['host names are case-insensitive', { origin: 'https://Panel.Test', host: 'panel.test' }, false],
    [
      'a trusted proxy forwarded the host',
      { origin: 'https://panel.test', host: '10.0.0.2:3000', 'x-forwarded-host': 'panel.test' },
      false,
    ],
    [
      'the first forwarded host counts',
      { origin: 'https://panel.test', host: 'x', 'x-forwarded-host': 'panel.test, other' },
      false,
    ],
    ['another site', { origin: 'http://evil.example', host: 'panel.test' }, true],
    ['another port of the same host', { origin: 'http://panel.test:8080', host: 'panel.test:3000' }, true],
    ['a sub-domain', { origin: 'https://a.panel.test', host: 'panel.test' }, true],
    ['an opaque origin', { origin: 'null', host: 'panel.test' }, true],
    ['a malformed Origin', { origin: 'not a url', host: 'panel.test' }, true],
    ['no host to compare with', { origin: 'https://panel.test' }, true],
  ])('%s', (_case, values, expected) => {
    expect(isCrossOrigin(headers(values))).toBe(expected);
  });

  it('falls back to the URL host when the request has no Host header', () => {
    expect(isCrossOrigin(headers({ origin: 'http://localhost' }), { fallbackHost: 'localhost' })).toBe(false);
    expect(isCrossOrigin(headers({ origin: 'http://evil.example' }), { fallbackHost: 'localhost' })).toBe(true);
  });

  it.each([
    ['an exact allowed host', 'https://admin.example', ['admin.example'], false],
    ['one label of *', 'https://a.example.com', ['*.example.com'], false],
    ['* is one label only', 'https://a.b.example.com', ['*.example.com'], true],
    ['** is any number of labels', 'https://a.b.example.com', ['**.example.com'], false],
    ['a wildcard never matches the domain itself', 'https://example.com', ['*.example.com'], true],
    ['a bare * allows nothing', 'https://evil.example', ['*'], true],
    ['not in the list', 'https://evil.example', ['admin.example'], true],
  ])('allowed origins: %s', (_case, origin, allowed, expected) => {
    expect(isCrossOrigin(headers({ origin, host: 'panel.test' }), { allowed })).toBe(expected);
  });
});
