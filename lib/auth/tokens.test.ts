import { describe, expect, it } from 'vitest';

import { createTokenSchema, revokeTokenSchema } from '@/lib/validation/tokens';

import { bearerFrom, generateToken, hashToken, parseBearer, TOKEN_PATTERN } from './tokens';

const TOKEN = `slw_${'A'.repeat(43)}`;

describe('parseBearer: the Authorization header, strictly', () => {
  const cases: [label: string, header: string | null, expected: string | null][] = [
    ['a bearer token', `Bearer ${TOKEN}`, TOKEN],
    ['lowercase scheme (schemes are case-insensitive, RFC 9110)', `bearer ${TOKEN}`, TOKEN],
    ['uppercase scheme', `BEARER ${TOKEN}`, TOKEN],
    ['b64token padding', 'Bearer abc==', 'abc=='],
    ['missing header', null, null],
    ['empty header', '', null],
    ['Basic credentials', 'Basic dXNlcjpwYXNz', null],
    ['Basic x', 'Basic x', null],
    ['Bearer alone', 'Bearer', null],
    ['Bearer and a space', 'Bearer ', null],
    ['two spaces', `Bearer  ${TOKEN}`, null],
    ['leading space', ` Bearer ${TOKEN}`, null],
    ['trailing space', `Bearer ${TOKEN} `, null],
    ['tab instead of space', `Bearer\t${TOKEN}`, null],
    ['two credentials', `Bearer ${TOKEN} ${TOKEN}`, null],
    ['two headers joined by fetch', `Bearer ${TOKEN}, Bearer ${TOKEN}`, null],
    ['no space', `Bearer${TOKEN}`, null],
    ['scheme prefix of another word', `Bearerx ${TOKEN}`, null],
    ['token in quotes', `Bearer "${TOKEN}"`, null],
    ['newline then a header', `Bearer ${TOKEN}\nX-Admin: 1`, null],
    ['trailing newline', `Bearer ${TOKEN}\n`, null],
    ['CRLF injection', `Bearer ${TOKEN}\r\nSet-Cookie: a=b`, null],
    ['NUL byte', `Bearer ${TOKEN}\u0000`, null],
    ['padding in the middle', 'Bearer ab=c', null],
    ['non-ASCII', 'Bearer tökén', null],
    ['10 KB header', `Bearer ${'a'.repeat(10 * 1024)}`, null],
    ['just over the limit', `Bearer ${'a'.repeat(512 - 'Bearer '.length + 1)}`, null],
  ];
  it.each(cases)('%s', (_label, header, expected) => {
    expect(parseBearer(header)).toBe(expected);
  });
});

describe('bearerFrom: a real Request', () => {
  const request = (headers: Record<string, string>) => new Request('http://localhost/api/x', { headers });

  it('reads the token of Authorization: Bearer', () => {
    expect(bearerFrom(request({ authorization: `Bearer ${TOKEN}` }))).toBe(TOKEN);
  });

  it('is null without the header, or with another scheme', () => {
    expect(bearerFrom(request({}))).toBeNull();
    expect(bearerFrom(request({ authorization: 'Basic x' }))).toBeNull();
    expect(bearerFrom(request({ cookie: `token=${TOKEN}` }))).toBeNull();
  });

  it('refuses two Authorization headers (fetch joins them with ", ")', () => {
    const headers = new Headers();
    headers.append('authorization', `Bearer ${TOKEN}`);
    headers.append('authorization', `Bearer ${TOKEN}`);
    expect(bearerFrom({ headers })).toBeNull();
  });

  it('a 10 KB header is refused', () => {
    expect(bearerFrom(request({ authorization: `Bearer slw_${'a'.repeat(10 * 1024)}` }))).toBeNull();
  });

  it('a line break inside a header never reaches it (Headers refuses the value)', () => {
    expect(() => request({ authorization: `Bearer ${TOKEN}\r\nX-Admin: 1` })).toThrow(TypeError);
  });
});

describe('token format and hash', () => {
  it('makes slw_ + 43 base64url characters, a different one each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, generateToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(TOKEN_PATTERN);
  });

  it('hashes to 64 lowercase hex characters (what api_tokens.token_hash accepts)', () => {
    expect(hashToken(TOKEN)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(TOKEN)).toBe(hashToken(TOKEN));
    expect(hashToken(TOKEN)).not.toBe(hashToken(`${TOKEN.slice(0, -1)}B`));
  });
});

describe('createTokenSchema', () => {
  const valid = { name: 'CI deploys', expiresInDays: '30' };
  const cases: [label: string, input: Record<string, unknown>, error: 'name' | 'expiresInDays' | null][] = [
    ['a name and 30 days', valid, null],
    ['1 day', { ...valid, expiresInDays: '1' }, null],
    ['365 days', { ...valid, expiresInDays: 365 }, null],
    ['a 100-character name', { ...valid, name: 'n'.repeat(100) }, null],
    ['0 days', { ...valid, expiresInDays: '0' }, 'expiresInDays'],
    ['366 days', { ...valid, expiresInDays: '366' }, 'expiresInDays'],
    ['negative days', { ...valid, expiresInDays: '-5' }, 'expiresInDays'],
    ['a fraction of a day', { ...valid, expiresInDays: '1.5' }, 'expiresInDays'],
    ['days as words', { ...valid, expiresInDays: 'thirty' }, 'expiresInDays'],
    ['blank days', { ...valid, expiresInDays: '' }, 'expiresInDays'],
    ['Infinity days', { ...valid, expiresInDays: 'Infinity' }, 'expiresInDays'],
    ['no days', { name: 'x' }, 'expiresInDays'],
    ['blank name', { ...valid, name: '   ' }, 'name'],
    ['no name', { expiresInDays: '30' }, 'name'],
    ['a 101-character name', { ...valid, name: 'n'.repeat(101) }, 'name'],
    ['a name with a line break', { ...valid, name: 'ci\nadmin' }, 'name'],
    ['a name with an escape sequence', { ...valid, name: 'ci\u001b[31m' }, 'name'],
  ];
  it.each(cases)('%s', (_label, input, error) => {
    const result = createTokenSchema.safeParse(input);
    if (error === null) {
      expect(result.success).toBe(true);
    } else {
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path[0])).toContain(error);
    }
  });

  it('trims the name and makes days a number', () => {
    expect(createTokenSchema.parse({ name: '  deploy bot ', expiresInDays: ' 7 ' })).toEqual({
      name: 'deploy bot',
      expiresInDays: 7,
    });
  });

  it('revokeTokenSchema takes a uuid only', () => {
    expect(revokeTokenSchema.safeParse({ tokenId: '00000000-0000-4000-8000-000000000000' }).success).toBe(true);
    expect(revokeTokenSchema.safeParse({ tokenId: "1' OR 1=1" }).success).toBe(false);
  });
});
