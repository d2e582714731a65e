import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { AppError } from '@/lib/errors';
import { passwordSchema, passwordSchemaFor } from '@/lib/validation/password';

import { hashPassword, verifyPassword } from './password';

const PASSWORD = 'correct horse battery staple';

describe('hashPassword / verifyPassword', () => {
  let hash: string;
  beforeAll(async () => {
    hash = await hashPassword(PASSWORD);
  });

  it('hashes with bcrypt cost 12, salted', async () => {
    expect(hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    expect(bcrypt.getRounds(hash)).toBe(12);
    expect(await hashPassword(PASSWORD)).not.toBe(hash);
  });

  it.each<[string, string, string | null | 'hash', boolean]>([
    ['the right password', PASSWORD, 'hash', true],
    ['a wrong password', 'correct horse battery stapler', 'hash', false],
    ['a different case', PASSWORD.toUpperCase(), 'hash', false],
    ['an empty password', '', 'hash', false],
    ['no hash (unknown user)', PASSWORD, null, false],
    ['a malformed stored hash', PASSWORD, 'not-a-bcrypt-hash', false],
    ['the right password plus anything past byte 72', `${'a'.repeat(72)}b`, 'long', false],
  ])('%s → %s', async (_, plain, stored, expected) => {
    const long = await bcrypt.hash('a'.repeat(72), 4);
    const storedHash = stored === 'hash' ? hash : stored === 'long' ? long : stored;
    expect(await verifyPassword(plain, storedHash)).toBe(expected);
  });

  it('refuses to hash what bcrypt would cut short, or nothing', async () => {
    await expect(hashPassword('é'.repeat(37))).rejects.toBeInstanceOf(AppError);
    await expect(hashPassword('')).rejects.toMatchObject({ code: 'invalid' });
  });

  it('takes as long for an unknown user as for a wrong password', async () => {
    const time = async (stored: string | null) => {
      const started = performance.now();
      await verifyPassword('wrong password, surely', stored);
      return performance.now() - started;
    };
    await time(hash); // warm up
    const known: number[] = [];
    const unknown: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      known.push(await time(hash));
      unknown.push(await time(null));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const [a, b] = [median(known), median(unknown)];
    expect(Math.abs(a - b) / Math.max(a, b)).toBeLessThan(0.25);
  }, 30_000);
});

describe('password policy', () => {
  it.each<[string, string, string | null]>([
    // [case, password, expected message (null: accepted)]
    ['12 characters', 'abcdefghijkl', null],
    ['a passphrase with spaces', PASSWORD, null],
    ['72 ASCII bytes', 'x'.repeat(72), null],
    ['12 emoji count as 12 characters', '🔑'.repeat(12), null],
    ['11 characters', 'abcdefghijk', 'at least 12 characters'],
    ['empty', '', 'at least 12 characters'],
    ['11 emoji (22 UTF-16 units)', '🔑'.repeat(11), 'at least 12 characters'],
    ['73 ASCII bytes', 'x'.repeat(73), 'at most 72 bytes'],
    ['37 two-byte letters (74 bytes)', 'é'.repeat(37), 'at most 72 bytes'],
    ['19 emoji (76 bytes)', '🔑'.repeat(19), 'at most 72 bytes'],
    ['129 characters', 'x'.repeat(129), 'at most 128 characters'],
    ['a megabyte', 'x'.repeat(1_000_000), 'at most 128 characters'],
    ['only spaces', ' '.repeat(20), 'only spaces'],
    ['only tabs and newlines', '\t\n'.repeat(10), 'only spaces'],
  ])('%s', (_, password, message) => {
    const result = passwordSchema.safeParse(password);
    if (message === null) {
      expect(result.success).toBe(true);
    } else {
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((issue) => issue.message).join(' ')).toContain(message);
    }
  });

  it('refuses anything but a string', () => {
    expect(passwordSchema.safeParse(123456789012).success).toBe(false);
    expect(passwordSchema.safeParse(undefined).success).toBe(false);
  });

  it.each([
    ['the username', 'administrator', false],
    ['the username in another case', 'ADMINISTRATOR', false],
    ['the email', 'admin@example.com', false],
    ['the email in another case, with spaces', '  Admin@Example.COM ', false],
    ['a longer password containing the username', 'administrator-2026', true],
  ])('for user administrator <admin@example.com>: %s → accepted %s', (_, password, ok) => {
    const result = passwordSchemaFor('administrator', 'admin@example.com').safeParse(password);
    expect(result.success).toBe(ok);
    if (!ok) expect(result.error!.issues[0]!.message).toBe('The password cannot be your username or email address.');
  });
});
