import { describe, expect, it } from 'vitest';

import {
  createProjectSchema,
  deleteProjectSchema,
  moveProjectSchema,
  projectDescriptionSchema,
  projectNameSchema,
  projectTagsSchema,
  tagsToText,
  updateProjectSchema,
} from './project';

const ID = '3f2b8c1e-9d4a-4c5b-8e7f-1a2b3c4d5e6f';
const KB64 = 'a'.repeat(64 * 1024);

// What the schema returns for a value: the parsed output, or `false` when it is refused.
const outcome = (schema: { safeParse: (v: unknown) => { success: boolean; data?: unknown } }, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? result.data : false;
};

describe('projectNameSchema', () => {
  it.each<[string, unknown, string | false]>([
    ['a plain name', 'billing', 'billing'],
    ['spaces and capitals', 'My SaaS App', 'My SaaS App'],
    ['trimmed', '  billing  ', 'billing'],
    ['accented letters (any script is shown fine)', 'Café', 'Café'],
    ['decomposed accents stored composed (NFC)', 'Cafe\u0301', 'Café'],
    ['a Cyrillic look-alike is a different, allowed name (never reaches Docker)', 'bаnk', 'bаnk'],
    ['punctuation is only shown, never run', 'api; rm -rf / | $(id) `x` & y', 'api; rm -rf / | $(id) `x` & y'],
    ['a leading dash (never an argument)', '-x project', '-x project'],
    ['dots', '../etc', '../etc'],
    ['exactly 3 characters', 'abc', 'abc'],
    ['exactly 100 characters', 'n'.repeat(100), 'n'.repeat(100)],
    ['2 characters', 'ab', false],
    ['3 characters only with the spaces', '  ab  ', false],
    ['101 characters', 'n'.repeat(101), false],
    ['64 KB', KB64, false],
    ['empty', '', false],
    ['a newline', 'bill\ning', false],
    ['a carriage return', 'bill\ring', false],
    ['a tab', 'bill\ting', false],
    ['a NUL byte', 'bill\u0000ing', false],
    ['an escape sequence', 'bill\u001b[31ming', false],
    ['a zero-width space', 'bill\u200bing', false],
    ['a zero-width joiner', 'bill\u200ding', false],
    ['a right-to-left override', 'bill\u202eing', false],
    ['a leading byte order mark is trimmed like a space', '\ufeffbilling', 'billing'],
    ['a byte order mark inside', 'bill\ufeffing', false],
    ['a line separator', 'bill\u2028ing', false],
    ['a no-break space inside', 'my\u00a0app', false],
    ['an ideographic space inside', 'my\u3000app', false],
    ['a number', 123, false],
    ['null', null, false],
  ])('%s', (_, value, expected) => {
    expect(outcome(projectNameSchema, value)).toBe(expected);
  });
});

describe('projectDescriptionSchema', () => {
  it.each<[string, unknown, string | null | false]>([
    ['text', 'Invoices and payments', 'Invoices and payments'],
    ['blank becomes null', '   ', null],
    ['missing becomes null', undefined, null],
    ['null stays null', null, null],
    ['line breaks kept, CRLF made LF', 'one\r\ntwo\rthree', 'one\ntwo\nthree'],
    ['tabs kept', 'a\tb', 'a\tb'],
    ['shell characters are only text', '$(reboot); `id` | tee', '$(reboot); `id` | tee'],
    ['exactly 2000 characters', 'd'.repeat(2000), 'd'.repeat(2000)],
    ['2001 characters', 'd'.repeat(2001), false],
    ['64 KB', KB64, false],
    ['a NUL byte (PostgreSQL text refuses it)', 'a\u0000b', false],
    ['an escape sequence', 'a\u001b[2Jb', false],
    ['a zero-width space', 'a\u200bb', false],
    ['a right-to-left override', 'a\u202eb', false],
    ['an object', { text: 'x' }, false],
  ])('%s', (_, value, expected) => {
    expect(outcome(projectDescriptionSchema, value)).toEqual(expected);
  });
});

describe('projectTagsSchema', () => {
  it.each<[string, unknown, string[] | false]>([
    ['comma-separated', 'api,web', ['api', 'web']],
    ['spaces around tags and empty entries ignored', ' api , , web ,', ['api', 'web']],
    ['capitals lowered', 'Critical, PCI', ['critical', 'pci']],
    ['repeats dropped, first order kept', 'b, a, B, a', ['b', 'a']],
    ['digits, dots, hyphens and underscores', 'v1.2, eu-west_1, 2024', ['v1.2', 'eu-west_1', '2024']],
    ['blank is no tags', '', []],
    ['missing is no tags', undefined, []],
    ['a list (what the schema outputs) parses again', ['api', 'web'], ['api', 'web']],
    ['a 50-character tag', 't'.repeat(50), ['t'.repeat(50)]],
    ['20 tags', Array.from({ length: 20 }, (_, i) => `t${i}`).join(','), Array.from({ length: 20 }, (_, i) => `t${i}`)],
    ['21 tags', Array.from({ length: 21 }, (_, i) => `t${i}`).join(','), false],
    ['a 51-character tag', 't'.repeat(51), false],
    ['a space inside a tag', 'foo bar', false],
    ['a leading dash (option-looking)', '-x', false],
    ['a leading dot', '.hidden', false],
    ['dot-dot', '..', false],
    ['a slash', 'a/b', false],
    ['a semicolon', 'a;b', false],
    ['a pipe', 'a|b', false],
    ['an ampersand', 'a&b', false],
    ['a dollar and parentheses', '$(id)', false],
    ['a backtick', '`id`', false],
    ['a newline (not a separator)', 'a\nb', false],
    ['a Cyrillic look-alike', 'аpi', false],
    ['the Kelvin sign, which toLowerCase would make a k', '\u212aube', false],
    ['a fullwidth letter', 'ａpi', false],
    ['a zero-width space', 'a\u200bpi', false],
    ['64 KB', KB64, false],
    ['a number', 42, false],
    ['a list holding a number', ['api', 7], false],
  ])('%s', (_, value, expected) => {
    expect(outcome(projectTagsSchema, value)).toEqual(expected);
  });

  it('names the refused tag in the message', () => {
    const result = projectTagsSchema.safeParse('good, Bad Tag');
    expect(result.error?.issues[0]?.message).toMatch(/^“bad tag” is not a valid tag\. Tags use lowercase letters/);
  });

  it('formats a list back into the text field', () => {
    expect(tagsToText(['api', 'web'])).toBe('api, web');
  });
});

describe('createProjectSchema', () => {
  it('turns form values into a typed project', () => {
    expect(createProjectSchema.parse({ name: ' shop ', description: '', tags: 'Web, api', teamId: '' })).toEqual({
      name: 'shop',
      description: null,
      tags: ['web', 'api'],
      teamId: null,
    });
    expect(createProjectSchema.parse({ name: 'shop', teamId: ID }).teamId).toBe(ID);
  });

  it.each<[string, unknown]>([
    ['a team id that is not a uuid', 'platform'],
    ['a team id with SQL', "' OR 1=1 --"],
    ['a number', 5],
  ])('refuses %s as the team, on the teamId field', (_, teamId) => {
    const result = createProjectSchema.safeParse({ name: 'shop', teamId });
    expect(result.error?.issues.map((issue) => issue.path[0])).toEqual(['teamId']);
  });

  it('reports each bad field under its own name', () => {
    const result = createProjectSchema.safeParse({ name: 'x', description: 'a\u0000', tags: 'A B' });
    expect(result.error?.issues.map((issue) => issue.path[0]).sort()).toEqual(['description', 'name', 'tags']);
  });
});

describe('update, move and delete', () => {
  it('needs a project id shaped like a uuid', () => {
    expect(updateProjectSchema.safeParse({ projectId: ID, name: 'shop', description: 'x', tags: 'a' }).success).toBe(
      true,
    );
    for (const projectId of ['', 'new', `${ID}x`, '../etc/passwd', "'; DROP TABLE projects; --"]) {
      expect(updateProjectSchema.safeParse({ projectId, name: 'shop' }).success).toBe(false);
    }
  });

  it('moves to a team or back to personal ("")', () => {
    expect(moveProjectSchema.parse({ projectId: ID, teamId: ID })).toEqual({ projectId: ID, teamId: ID });
    expect(moveProjectSchema.parse({ projectId: ID, teamId: '' })).toEqual({ projectId: ID, teamId: null });
    expect(moveProjectSchema.safeParse({ projectId: ID, teamId: 'team-a' }).success).toBe(false);
  });

  it.each<[string, unknown, boolean]>([
    ['the name typed', 'billing', true],
    ['anything non-empty (compared with the name later)', 'not the name', true],
    ['nothing typed', '', false],
    ['64 KB', KB64, false],
    ['missing', undefined, false],
  ])('delete confirmation: %s', (_, confirmation, accepted) => {
    expect(deleteProjectSchema.safeParse({ projectId: ID, confirmation }).success).toBe(accepted);
  });

  it('keeps the confirmation exactly as typed (no trimming: it must equal the name)', () => {
    expect(deleteProjectSchema.parse({ projectId: ID, confirmation: ' billing ' }).confirmation).toBe(' billing ');
  });
});
