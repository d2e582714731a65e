import { describe, expect, it } from 'vitest';

import { idSchema, isUuid, staleLink } from './ids';

// Every value a PostgreSQL uuid column can print must pass (imported rows need not be version 4); nothing that would
// make the uuid cast fail may pass.
const accepted = [
  '550e8400-e29b-41d4-a716-446655440000', // version 4, gen_random_uuid()
  '00000000-0000-0000-0000-000000000000', // nil
  'ffffffff-ffff-ffff-ffff-ffffffffffff', // max
  '123e4567-e89b-02d3-0456-426614174000', // version 0, variant 0: not RFC 9562, still a stored uuid
  '550E8400-E29B-41D4-A716-446655440000', // upper case, as some importers write it
];
const refused = [
  '',
  'new',
  '550e8400-e29b-41d4-a716-44665544000', // one digit short
  '550e8400-e29b-41d4-a716-4466554400000', // one digit long
  '550e8400e29b41d4a716446655440000', // no hyphens (PostgreSQL reads it, but never prints it: not a link we made)
  '{550e8400-e29b-41d4-a716-446655440000}',
  ' 550e8400-e29b-41d4-a716-446655440000',
  '550e8400-e29b-41d4-a716-446655440000\n',
  '550e8400-e29b-41d4-a716-44665544000g',
  "550e8400-e29b-41d4-a716-446655440000' OR '1'='1",
];

describe('ids', () => {
  it.each(accepted)('accepts %s', (value) => {
    expect(isUuid(value)).toBe(true);
    expect(idSchema('project').safeParse(value).success).toBe(true);
  });

  it.each(refused)('refuses %j', (value) => {
    expect(isUuid(value)).toBe(false);
    expect(idSchema('project').safeParse(value).success).toBe(false);
  });

  it.each([undefined, null, 42, {}])('refuses the non-string %j', (value) => {
    expect(isUuid(value)).toBe(false);
    expect(idSchema('volume').safeParse(value).success).toBe(false);
  });

  it('names the thing in its message, and lets a caller say it differently', () => {
    const parsed = idSchema('application').safeParse('nope');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(staleLink('application'));
    expect(staleLink('application')).toBe(
      'This application link is out of date or mistyped: reload the page and try again.',
    );
    expect(idSchema('volume', 'Choose a volume.').safeParse(42).error?.issues[0]?.message).toBe('Choose a volume.');
  });
});
