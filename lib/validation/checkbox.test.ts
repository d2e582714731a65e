import { describe, expect, it } from 'vitest';

import { checkboxSchema } from './checkbox';

describe('checkboxSchema', () => {
  it.each([
    ['on', true],
    ['true', true],
    ['1', true],
    [true, true],
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    [false, false],
  ])('reads %j as %s', (input, ticked) => {
    expect(checkboxSchema.parse(input)).toBe(ticked);
  });

  it.each(['yes', 'off', 'ON', ['on'], 1])('refuses %j instead of reading it as unticked', (input) => {
    const result = checkboxSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('A checkbox is either ticked or not.');
  });
});
