import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { asSystem, asUser } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { BCRYPT_HASH, NO_SUCH_ID } from '@/lib/testing/fixtures';

import { getOwnAccount } from './queries';

let test: TestDatabase;
const ids = { local: '', github: '' };

beforeAll(async () => {
  test = await createTestDatabase();
  await asSystem(test.db.prisma, async (tx) => {
    ids.local = (
      await tx.user.create({
        data: { username: 'localuser', email: 'localuser@example.com', passwordHash: BCRYPT_HASH },
        select: { id: true },
      })
    ).id;
    ids.github = (
      await tx.user.create({
        data: { username: 'ghuser', email: 'ghuser@example.com', authProvider: 'github' },
        select: { id: true },
      })
    ).id;
  });
});
afterAll(() => test?.drop());

describe('getOwnAccount', () => {
  it('says whether the account has a password, never what it is', async () => {
    const local = await asUser(test.db.prisma, ids.local, (tx) => getOwnAccount(tx, ids.local));
    expect(local).toEqual({ hasPassword: true, createdAt: expect.any(Date) });
    expect(JSON.stringify(local)).not.toContain(BCRYPT_HASH);
    expect(await asUser(test.db.prisma, ids.github, (tx) => getOwnAccount(tx, ids.github))).toEqual({
      hasPassword: false,
      createdAt: expect.any(Date),
    });
  });

  it('is null for an id with no user', async () => {
    expect(await asUser(test.db.prisma, ids.local, (tx) => getOwnAccount(tx, NO_SUCH_ID))).toBeNull();
  });
});
