import { describe, expect, it } from 'vitest';

import { pickVerifiedEmail } from './github';

describe('pickVerifiedEmail', () => {
  it('keeps verified addresses only, the primary first', () => {
    expect(
      pickVerifiedEmail([
        { email: 'old@example.com', primary: false, verified: true },
        { email: 'victim@example.com', primary: false, verified: false },
        { email: 'me@example.com', primary: true, verified: true },
      ]),
    ).toEqual(['me@example.com', 'old@example.com']);
  });

  it.each([
    [null],
    [{}],
    ['x'],
    [[{ email: 'a@b.c', primary: true, verified: 'true' }]],
    [[{ email: 42, verified: true }]],
  ])('links nothing for %j', (input) => {
    expect(pickVerifiedEmail(input)).toEqual([]);
  });
});
