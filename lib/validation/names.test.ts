import { describe, expect, it } from 'vitest';

import { describeCharacter, preview } from './names';

describe('describeCharacter names a character the way a person sees it', () => {
  it.each([
    ['a typed newline (LF)', '\n', 'a line break'],
    ['the CR of a textarea’s CRLF', '\r', 'a line break'],
    ['next line (NEL)', '\u0085', 'a line break'],
    ['line separator', '\u2028', 'a line break'],
    ['paragraph separator', '\u2029', 'a line break'],
    ['tab', '\t', 'a tab'],
    ['space', ' ', 'a space'],
    ['NUL', '\0', 'a NUL character'],
    ['escape', '\u001b', 'the invisible character U+001B'],
    ['delete', '\u007f', 'the invisible character U+007F'],
    ['zero-width space', '\u200b', 'the invisible character U+200B'],
    ['right-to-left override', '\u202e', 'the invisible character U+202E'],
    ['byte order mark', '\ufeff', 'the invisible character U+FEFF'],
    ['non-breaking space', '\u00a0', 'the invisible character U+00A0'],
    ['a combining accent on its own', '\u0301', 'the invisible character U+0301'],
    ['private use', '\ue000', 'the invisible character U+E000'],
    ['a visible ASCII character', '$', '“$”'],
    ['a letter', 'a', '“a”'],
    ['a quote', "'", "“'”"],
    ['a Cyrillic look-alike', 'а', '“а” (U+0430)'],
    ['a fullwidth solidus', '／', '“／” (U+FF0F)'],
    ['an emoji outside the BMP', '🚀', '“🚀” (U+1F680)'],
  ])('%s', (_label, char, named) => {
    expect(describeCharacter(char)).toBe(named);
  });
});

describe('preview', () => {
  it('replaces control characters and bounds the length', () => {
    expect(preview('a\nb')).toBe('a�b');
    expect(preview('x'.repeat(50))).toBe(`${'x'.repeat(40)}…`);
  });
});
