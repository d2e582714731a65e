import { describe, expect, it } from 'vitest';

import { formatDotenvLine, parseDotenv, serializeDotenv } from './dotenv';

const values = (text: string) => Object.fromEntries(parseDotenv(text).entries.map((e) => [e.key, e.value]));
const errorsOf = (text: string) => parseDotenv(text).errors;

describe('parseDotenv: what a line means', () => {
  it.each([
    ['plain', 'A=1', { A: '1' }],
    ['empty value', 'A=', { A: '' }],
    ['empty quoted value', 'A=""', { A: '' }],
    ['spaces around = and the value', '  A  =   hello world   ', { A: 'hello world' }],
    ['export prefix', 'export A=1', { A: '1' }],
    ['export prefix with a tab', 'export\tA=1', { A: '1' }],
    ['comment line', '# A=1\nB=2', { B: '2' }],
    ['indented comment line', '   # A=1', {}],
    ['blank lines', '\n\n  \nA=1\n\n', { A: '1' }],
    ['comment after an unquoted value', 'A=value # the port', { A: 'value' }],
    ['# without a space before it is part of the value', 'A=abc#def', { A: 'abc#def' }],
    ['value that is only a comment', 'A= # nothing', { A: '' }],
    [
      '= inside the value',
      'A=postgres://u:p@h/db?sslmode=require&x=1',
      { A: 'postgres://u:p@h/db?sslmode=require&x=1' },
    ],
    ['single quotes are literal', `A='a\\nb $HOME "x"'`, { A: 'a\\nb $HOME "x"' }],
    ['single quotes keep a #', `A='a # b' # comment`, { A: 'a # b' }],
    ['single-quoted value spanning lines', "A='line1\nline2'", { A: 'line1\nline2' }],
    ['double quotes: \\n \\" \\\\ escapes', 'A="a\\nb \\"q\\" c:\\\\x"', { A: 'a\nb "q" c:\\x' }],
    ['double quotes: \\t and \\r', 'A="a\\tb\\rc"', { A: 'a\tb\rc' }],
    ['double quotes: other backslashes stay', 'A="C:\\path\\dir"', { A: 'C:\\path\\dir' }],
    ['double quotes keep # and spaces', 'A="  x # y  " # c', { A: '  x # y  ' }],
    [
      'double-quoted value spanning lines',
      'A="-----BEGIN-----\nabc\n-----END-----"\nB=2',
      { A: '-----BEGIN-----\nabc\n-----END-----', B: '2' },
    ],
    ['Windows line endings', 'A=1\r\nB="x\r\ny"\r\nC=3\r\n', { A: '1', B: 'x\ny', C: '3' }],
    ['old Mac line endings', 'A=1\rB=2', { A: '1', B: '2' }],
    ['byte order mark', '\uFEFFA=1', { A: '1' }],
    ['shell metacharacters are text', 'A=$(rm -rf /); `id` | cat && x', { A: '$(rm -rf /); `id` | cat && x' }],
    ['no expansion', 'A=${B}', { A: '${B}' }],
    ['unicode value', 'A=naïve ☃', { A: 'naïve ☃' }],
    ['quote in the middle of an unquoted value', `A=it's`, { A: "it's" }],
  ])('%s', (_name, text, expected) => {
    expect(parseDotenv(text)).toEqual({ entries: expect.any(Array), errors: [] });
    expect(values(text)).toEqual(expected);
  });

  it('gives each entry the line it starts on', () => {
    const { entries } = parseDotenv('# c\nA=1\n\nB="x\ny"\nC=3');
    expect(entries.map((e) => [e.key, e.line])).toEqual([
      ['A', 2],
      ['B', 4],
      ['C', 6],
    ]);
  });

  it('reads an empty text as no variables', () => {
    expect(parseDotenv('')).toEqual({ entries: [], errors: [] });
  });
});

describe('parseDotenv: bad lines', () => {
  it.each([
    ['no equals sign', 'A=1\nJUSTAWORD', 2, 'no “=”'],
    ['export without a value', 'export A', 1, 'no “=”'],
    ['lowercase key, with the fix', 'my-key=1', 1, 'Did you mean MY_KEY?'],
    ['key starting with a digit', 'A=1\n\n1A=2', 3, 'not starting with a digit'],
    ['empty key', '=value', 1, 'Give the variable a name'],
    ['key with a look-alike letter', 'АPI=1', 1, 'outside ASCII'],
    ['key with a zero-width space', 'A\u200BB=1', 1, 'not a valid variable name'],
    ['key with a shell injection', 'A;rm -rf /=1', 1, 'not a valid variable name'],
    ['path-looking key', '../../etc/passwd=1', 1, 'not a valid variable name'],
    ['option-looking key', '-x=1', 1, 'not a valid variable name'],
    ['a name Slipway keeps for itself', 'A=1\nSLIPWAY_URL=x', 2, 'SLIPWAY_URL starts with SLIPWAY_, which is kept'],
    ['text after the closing quote', 'A="x" y', 1, 'unexpected text after its closing quote'],
    ['NUL in a value', 'A=a\0b', 1, 'NUL'],
    ['a value over 64 KB', `A=${'v'.repeat(64 * 1024 + 1)}`, 1, 'at most 64 KB'],
  ])('%s', (_name, text, line, fragment) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(line);
    expect(errors[0]!.message).toContain(`Line ${line}:`);
    expect(errors[0]!.message).toContain(fragment);
  });

  it('names both lines of a duplicate key', () => {
    expect(errorsOf('A=1\nB=2\nA=3')).toEqual([
      { line: 3, message: expect.stringContaining('A is already set on line 1') },
    ]);
  });

  it('names the line an unterminated double quote started on', () => {
    const errors = errorsOf('A=1\nB="never closed\nC=3\nD=4');
    expect(errors).toEqual([{ line: 2, message: expect.stringContaining('double-quoted value of B is never closed') }]);
  });

  it('names the line an unterminated single quote started on', () => {
    expect(errorsOf("A='open")).toEqual([
      { line: 1, message: expect.stringContaining('single-quoted value of A is never closed') },
    ]);
  });

  it('points at the opening line when a missing quote swallows later lines', () => {
    const errors = errorsOf('A="oops\nB="x"\nC=3');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(1);
    expect(errors[0]!.message).toContain('closing " missing on line 1');
  });

  it('reports every bad line, not just the first', () => {
    const text = 'GOOD=1\nbad-one=2\nALSO_GOOD=3\nNOEQUALS\n9LIVES=4\nGOOD=5';
    expect(errorsOf(text).map((e) => e.line)).toEqual([2, 4, 5, 6]);
    expect(parseDotenv(text).entries.map((e) => e.key)).toEqual(['GOOD', 'ALSO_GOOD']);
  });

  it('refuses more than 1000 variables', () => {
    const text = Array.from({ length: 1001 }, (_, i) => `K${i}=v`).join('\n');
    expect(errorsOf(text)).toEqual([{ line: 1001, message: expect.stringContaining('At most 1000 variables') }]);
  });

  it('echoes a bad key without its line breaks or control characters', () => {
    const [error] = errorsOf('a\u0007b=1');
    expect(error!.message).not.toMatch(/\p{Cc}/u);
  });
});

describe('serializeDotenv', () => {
  it.each([
    ['simple', 'abc-1.2/x:y@z', 'K=abc-1.2/x:y@z'],
    ['empty', '', 'K='],
    ['spaces', 'a b', "K='a b'"],
    ['dollar sign (no expansion by other tools)', '$HOME', "K='$HOME'"],
    ['hash', '#x', "K='#x'"],
    ['double quote', 'say "hi"', `K='say "hi"'`],
    ['single quote', "it's", `K="it's"`],
    ['line break', 'a\nb', 'K="a\\nb"'],
    ['backslash with a single quote', "a\\n'", `K="a\\\\n'"`],
  ])('%s', (_name, value, line) => {
    expect(formatDotenvLine('K', value)).toBe(line);
  });

  it('writes comment lines on one line each', () => {
    expect(serializeDotenv([{ comment: 'API_KEY=<secret>\ninjected' }, { key: 'A', value: '1' }])).toBe(
      '# API_KEY=<secret> injected\nA=1\n',
    );
  });

  it('writes nothing for no variables', () => {
    expect(serializeDotenv([])).toBe('');
  });
});

describe('export → parse round trip', () => {
  const hostile: [string, string][] = [
    ['EMPTY', ''],
    ['SPACES', '  padded  '],
    ['PEM', '-----BEGIN PRIVATE KEY-----\nMIIE\\nabc==\n-----END PRIVATE KEY-----\n'],
    ['QUOTES', `'single' and "double" and \\" and \\\\`],
    ['SHELL', '; rm -rf / | cat $(id) `whoami` && echo ${PATH} > /dev/null'],
    ['HASH', 'a #b # c#'],
    ['CRLF', 'line1\r\nline2\rline3'],
    ['TAB', 'a\tb'],
    ['BACKSLASHES', 'C:\\Users\\x\\n\\t\\'],
    ['UNICODE', 'naïve ☃ 𝄞 \u200B Аа'],
    ['JSON', '{"type":"service_account","private_key":"-----BEGIN-----\\nabc\\n"}'],
    ['EQUALS', '=a=b='],
    ['LEADING_QUOTE', '"not closed'],
    ['ONLY_QUOTE', "'"],
    ['BIG', 'x'.repeat(64 * 1024)],
  ];

  it.each(hostile)('%s comes back exactly', (key, value) => {
    const text = serializeDotenv([{ key, value }]);
    expect(parseDotenv(text)).toEqual({ entries: [{ key, value, line: 1 }], errors: [] });
  });

  it('keeps every variable of a whole file, in order', () => {
    const items = hostile.map(([key, value]) => ({ key, value }));
    const parsed = parseDotenv(serializeDotenv([{ comment: 'exported' }, ...items]));
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map(({ key, value }) => ({ key, value }))).toEqual(items);
  });
});
