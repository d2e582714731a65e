import { describe, expect, it } from 'vitest';

import { containerPortSchema, displayHostname, hostnameSchema, partnerHostname, pathPrefixSchema } from './hostname';

const firstMessage = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues[0]?.message ?? '';

describe('hostnames', () => {
  it.each<[string, string]>([
    ['example.com', 'example.com'],
    ['  Example.COM  ', 'example.com'],
    ['example.com.', 'example.com'],
    ['www.example.co.uk', 'www.example.co.uk'],
    ['*.example.com', '*.example.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['BÜCHER.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['*.bücher.de', '*.xn--bcher-kva.de'],
    ['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'], // Han + Hiragana: Japanese, one label
    ['a1-b2.example.com', 'a1-b2.example.com'],
    ['1.2.example.com', '1.2.example.com'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
    [`${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(57)].join('.')}.com`, ''], // 253
  ])('accepts %j as %j', (typed, stored) => {
    const result = hostnameSchema.safeParse(typed);
    expect(firstMessage(result)).toBe('');
    if (stored) expect(result.data).toBe(stored);
    expect(hostnameSchema.safeParse(result.data).data).toBe(result.data); // parses again unchanged
  });

  it.each<[string, string, RegExp]>([
    ['empty', '', /Give a domain/],
    ['only spaces', '   ', /Give a domain/],
    ['two dots', 'a..b', /empty label.*remove the extra dot/],
    ['leading dot', '.example.com', /empty label/],
    ['leading hyphen', '-a.com', /“-a” starts or ends with a hyphen/],
    ['trailing hyphen', 'a-.com', /“a-” starts or ends with a hyphen/],
    ['64-character label', `${'a'.repeat(64)}.com`, /64 characters long: a label has at most 63/],
    [
      '254 characters',
      `${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(58)].join('.')}.com`,
      /254 characters long: a domain has at most 253/,
    ],
    ['wildcard alone', '*.', /Add the domain after \*\./],
    ['bare star', '*', /Add the domain after \*\./],
    ['two wildcards', '*.*.com', /whole first label/],
    ['wildcard inside a label', 'a*.example.com', /whole first label/],
    ['wildcard further in', 'www.*.example.com', /whole first label/],
    ['space inside', 'exa mple.com', /cannot contain a space/],
    ['path', 'example.com/path', /enter example\.com here and put the path in Path prefix/],
    ['scheme', 'http://x', /without the scheme: x, not http:\/\//],
    ['https scheme with path', 'https://example.com/a', /without the scheme: example\.com/],
    ['port', 'example.com:443', /enter example\.com here; the port goes in Container port/],
    ['CR LF', 'example.com\r\nX-Evil: 1', /line break/],
    ['trailing LF', 'example.com\n', /line break/],
    ['CR', 'exa\rmple.com', /line break/],
    ['double quote', 'exa"mple.com', /cannot contain “"”/],
    ['single quote', "example.com'", /cannot contain “'”/],
    ['backtick', 'exa`mple.com', /cannot contain “`”/],
    ['NUL', 'example.com\0', /NUL character/],
    ['tab', 'exa\tmple.com', /a tab/],
    ['escape', 'exa\u001bmple.com', /invisible character U\+001B/],
    ['zero-width space', 'exa\u200bmple.com', /invisible character U\+200B/],
    ['underscore', 'my_app.example.com', /cannot contain “_”/],
    ['one label', 'localhost', /at least two labels/],
    ['numeric TLD', '10.0.0.1', /“1” is a number/],
    ['digits in the TLD', 'example.c0m', /at least two letters/],
    ['one-letter TLD', 'example.c', /at least two letters/],
    ['www only', 'www', /at least two labels/],
    // Latin p, y, p, l with a Cyrillic а (U+0430): the message names the punycode the browser would show.
    ['Latin + Cyrillic look-alike', 'p\u0430ypal.com', /“pаypal” \(xn--pypal-4ve\) mixes letters of different scripts/],
    ['the same, typed as punycode', 'xn--pypal-4ve.com', /xn--pypal-4ve.*mixes letters/],
    ['Latin + Greek', 'micr\u03bfsoft.com', /mixes letters/],
    ['broken punycode', 'xn--zz.com', /not a valid internationalised label/],
  ])('refuses %s', (_, typed, message) => {
    const result = hostnameSchema.safeParse(typed);
    expect(result.success).toBe(false);
    expect(firstMessage(result)).toMatch(message);
  });

  it('shows a stored name in Unicode, and an ASCII one as it is', () => {
    expect(displayHostname('xn--bcher-kva.de')).toBe('bücher.de');
    expect(displayHostname('*.xn--bcher-kva.de')).toBe('*.bücher.de');
    expect(displayHostname('example.com')).toBe('example.com');
  });

  it('pairs www and apex, and nothing for a wildcard', () => {
    expect(partnerHostname('example.com')).toBe('www.example.com');
    expect(partnerHostname('www.example.com')).toBe('example.com');
    expect(partnerHostname('*.example.com')).toBeNull();
    expect(partnerHostname('www.com')).toBeNull();
  });
});

describe('path prefixes', () => {
  it.each<[unknown, string]>([
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['/api', '/api'],
    ['/api/', '/api/'],
    ['/api/v1.2/~me', '/api/v1.2/~me'],
    ['/caf%C3%A9', '/caf%C3%A9'],
  ])('accepts %j as %j', (typed, stored) => {
    expect(pathPrefixSchema.parse(typed)).toBe(stored);
  });

  it.each<[string, string, RegExp]>([
    ['no leading slash', 'api', /Start the path prefix with \/: write \/api/],
    ['space', '/my api', /cannot contain a space/],
    ['double quote', '/a"b', /cannot contain “"”/],
    ['single quote', "/a'b", /cannot contain “'”/],
    ['parent segment', '/a/../b', /\. or \.\. segments/],
    ['only a parent segment', '/..', /\. or \.\. segments/],
    ['double slash', '/a//b', /\/\//],
    ['leading double slash', '//a', /\/\//],
    ['line break', '/a\r\nb', /line break/],
    ['query', '/a?b=1', /cannot contain “\?”/],
    ['bare percent', '/100%', /%25/],
    ['too long', `/${'a'.repeat(255)}`, /too long/],
  ])('refuses %s', (_, typed, message) => {
    const result = pathPrefixSchema.safeParse(typed);
    expect(result.success).toBe(false);
    expect(firstMessage(result)).toMatch(message);
  });
});

describe('container ports', () => {
  it.each<[unknown, number | null]>([
    ['', null],
    [undefined, null],
    [null, null],
    ['80', 80],
    [' 8080 ', 8080],
    [65535, 65535],
    ['1', 1],
  ])('accepts %j as %j', (typed, port) => {
    expect(containerPortSchema.parse(typed)).toBe(port);
  });

  it.each(['0', '65536', '-1', '80.5', '1e3', '0x50', 'http', 80.5])('refuses %j', (typed) => {
    const result = containerPortSchema.safeParse(typed);
    expect(firstMessage(result)).toMatch(/whole number from 1 to 65535/);
  });
});
