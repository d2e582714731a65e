import { describe, expect, it } from 'vitest';

import {
  bulkApplySchema,
  envKeyCaution,
  envKeyProblem,
  envKeySchema,
  envSecretFlagSchema,
  envValueSchema,
  envVarRefSchema,
  fromTextarea,
  setEnvVarSchema,
  suggestEnvKey,
} from './env';

const APP = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const KB64 = 64 * 1024;

describe('envKeySchema', () => {
  it.each([['DATABASE_URL'], ['_PRIVATE'], ['A'], ['_'], ['X1_2_3'], ['K'.repeat(255)]])('accepts %s', (key) => {
    expect(envKeySchema.safeParse(key).success).toBe(true);
  });

  it('drops surrounding spaces', () => {
    expect(envKeySchema.parse('  PORT \t')).toBe('PORT');
  });

  it.each([
    ['empty', ''],
    ['lowercase', 'database_url'],
    ['hyphen', 'MY-KEY'],
    ['leading digit', '1PASSWORD'],
    ['dot', 'APP.NAME'],
    ['inner space', 'MY KEY'],
    ['semicolon', 'FOO;rm -rf /'],
    ['pipe', 'A|B'],
    ['ampersand', 'A&&B'],
    ['dollar', '$HOME'],
    ['subshell', 'A$(id)'],
    ['backtick', 'A`id`'],
    ['parentheses', 'F()'],
    ['newline inside', 'A\nB'],
    ['path traversal', '../ETC'],
    ['equals sign', 'A=B'],
    ['Cyrillic А look-alike', 'АPI_KEY'],
    ['zero-width space', 'API\u200BKEY'],
    ['fullwidth letters', 'ＡＰＩ'],
    ['option-looking', '-x'],
    ['NUL', 'A\0B'],
    ['256 characters', 'K'.repeat(256)],
    ['64 KB', 'K'.repeat(KB64)],
  ])('refuses %s', (_name, key) => {
    expect(envKeySchema.safeParse(key).success).toBe(false);
  });

  it('says what is allowed and suggests the fixed key', () => {
    const message = envKeyProblem('my-key');
    expect(message).toContain('capital letters A–Z, digits 0–9 and underscores');
    expect(message).toContain('Did you mean MY_KEY?');
  });

  it('says when a key has characters outside ASCII, without guessing a look-alike', () => {
    const message = envKeyProblem('АPI_KEY')!;
    expect(message).toContain('outside ASCII');
    expect(message).not.toContain('Did you mean');
  });

  it('shows control characters in the echo as a replacement mark, not raw', () => {
    expect(envKeyProblem('A\nB')).not.toContain('\n');
  });

  it.each([
    ['a typed Enter (CR)', 'API_KEY\r', 'It contains a line break.'],
    ['a newline', 'A\nB', 'It contains a line break.'],
    ['a tab', 'A\tB', 'It contains a tab.'],
    ['an inner space', 'MY KEY', 'It contains a space.'],
    ['a NUL', 'A\0B', 'It contains a NUL character.'],
    ['a zero-width space', 'API\u200BKEY', 'It contains the invisible character U+200B.'],
  ])('names a character the person cannot see: %s', (_label, key, named) => {
    expect(envKeyProblem(key)).toContain(named);
    expect(envKeyProblem(key)).not.toMatch(/U\+000[0-9A-D]\b/);
  });
});

// Reserved names (D70): refused when written, or saved with a caution; either way with the reason.
const RESERVED: [string, 'refused' | 'caution', RegExp][] = [
  ['SLIPWAY_URL', 'refused', /^SLIPWAY_URL starts with SLIPWAY_, .*Slipway's own.*for example APP_URL/],
  ['SLIPWAY_APP_ID', 'refused', /kept for Slipway's own variables/],
  ['SLIPWAY_', 'refused', /Choose another name\.$/],
  ['PATH', 'caution', /replaces the image's whole search path.*\$PATH is not expanded/],
  ['HOME', 'caution', /replaces the home directory/],
  ['HOSTNAME', 'caution', /replaces the variable, not the host name.*0\.0\.0\.0/],
];

describe('reserved names', () => {
  it.each(RESERVED)('%s is %s, saying why', (key, kind, reason) => {
    const set = setEnvVarSchema.safeParse({ applicationId: APP, key, value: 'x', mode: 'create' });
    if (kind === 'refused') {
      expect(set.success).toBe(false);
      expect(set.error?.issues).toEqual([
        expect.objectContaining({ path: ['key'], message: expect.stringMatching(reason) }),
      ]);
      expect(envKeyCaution(key)).toBeNull();
    } else {
      expect(set.success).toBe(true);
      expect(envKeyCaution(key)).toMatch(reason);
    }
  });

  it.each(RESERVED)('%s can still be named to delete or reveal a variable stored before', (key) => {
    expect(envVarRefSchema.safeParse({ applicationId: APP, key }).success).toBe(true);
    expect(envKeyProblem(key, 'refer')).toBeNull();
  });

  it.each([
    ['PATHS'],
    ['MY_PATH'],
    ['HOME_DIR'],
    ['HOSTNAMES'],
    ['SLIPWAY'],
    ['SLIPWAYS'],
    ['_SLIPWAY_URL'],
    ['APP_URL'],
  ])('a name that only looks reserved is neither refused nor cautioned: %s', (key) => {
    expect(envKeyProblem(key)).toBeNull();
    expect(envKeyCaution(key)).toBeNull();
  });

  it('looks up cautions by own name only', () => {
    expect(envKeyCaution('constructor')).toBeNull();
    expect(envKeyCaution('__proto__')).toBeNull();
  });
});

describe('suggestEnvKey', () => {
  it.each([
    ['my-key', 'MY_KEY'],
    ['api key', 'API_KEY'],
    ['2fa_secret', '_2FA_SECRET'],
    ['app.name', 'APP_NAME'],
    ['café', 'CAFE'],
    ['API\u200BKEY', 'APIKEY'],
    ['ＡＰＩ', 'API'],
  ])('%s → %s', (input, suggestion) => {
    expect(suggestEnvKey(input)).toBe(suggestion);
  });

  it.each([['ключ'], ['АPI'], ['---'], ['']])('has nothing sensible for %j', (input) => {
    expect(suggestEnvKey(input)).toBeNull();
  });
});

describe('envValueSchema', () => {
  it.each([
    ['empty', ''],
    ['spaces kept', '  padded  '],
    ['line breaks', '-----BEGIN KEY-----\nabc\n-----END KEY-----\n'],
    ['shell metacharacters', '; rm -rf / | cat $(id) `x` && y'],
    ['quotes', `it's "quoted"`],
    ['unicode', 'naïve ☃ 𝄞'],
    ['exactly 64 KB', 'v'.repeat(KB64)],
  ])('accepts %s', (_name, value) => {
    expect(envValueSchema.parse(value)).toBe(value);
  });

  it.each([
    ['more than 64 KB', 'v'.repeat(KB64 + 1)],
    ['64 KB counted in UTF-8 bytes', 'é'.repeat(KB64 / 2 + 1)],
    ['NUL', 'a\0b'],
    ['lone surrogate', 'a\uD800b'],
  ])('refuses %s', (_name, value) => {
    expect(envValueSchema.safeParse(value).success).toBe(false);
  });
});

describe('envSecretFlagSchema', () => {
  it.each([
    ['on', true],
    ['true', true],
    ['1', true],
    [true, true],
    ['', false],
    [undefined, false],
    [false, false],
    ['0', false],
  ] as const)('%j → %j', (input, flag) => {
    expect(envSecretFlagSchema.parse(input)).toBe(flag);
  });

  it('refuses anything else', () => {
    expect(envSecretFlagSchema.safeParse('yes please').success).toBe(false);
  });
});

describe('setEnvVarSchema', () => {
  it('reads the form: the checkbox becomes a boolean, the value is kept as given', () => {
    const parsed = setEnvVarSchema.parse({
      applicationId: APP,
      key: ' PEM ',
      value: ' a\nb ',
      isSecret: 'on',
      mode: 'create',
    });
    expect(parsed).toEqual({ applicationId: APP, key: 'PEM', value: ' a\nb ', isSecret: true, mode: 'create' });
  });

  it('fromTextarea turns the CRLF line breaks a browser submits into LF', () => {
    expect(fromTextarea('a\r\nb\rc\n')).toBe('a\nb\nc\n');
  });

  it('refuses an application id that is not a uuid', () => {
    expect(setEnvVarSchema.safeParse({ applicationId: '../x', key: 'A', value: '', mode: 'create' }).success).toBe(
      false,
    );
  });

  it('refuses an unknown mode', () => {
    expect(setEnvVarSchema.safeParse({ applicationId: APP, key: 'A', value: '', mode: 'upsert' }).success).toBe(false);
  });
});

describe('bulkApplySchema', () => {
  it('reads secret keys separated by commas, spaces or line breaks', () => {
    const parsed = bulkApplySchema.parse({ applicationId: APP, text: 'A=1', mode: 'merge', secretKeys: 'A, B\nC  ' });
    expect(parsed.secretKeys).toEqual(['A', 'B', 'C']);
  });

  it('refuses an invalid secret key', () => {
    expect(bulkApplySchema.safeParse({ applicationId: APP, text: '', mode: 'merge', secretKeys: 'a-b' }).success).toBe(
      false,
    );
  });

  it('refuses an unknown mode', () => {
    expect(bulkApplySchema.safeParse({ applicationId: APP, text: '', mode: 'overwrite' }).success).toBe(false);
  });

  it('refuses more than 1 MB of text', () => {
    expect(
      bulkApplySchema.safeParse({ applicationId: APP, text: 'A='.padEnd(1024 * 1024 + 1, 'x'), mode: 'merge' }).success,
    ).toBe(false);
  });
});
