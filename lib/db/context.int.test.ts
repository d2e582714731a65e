import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase, type Database } from '@/lib/db/connection';
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from '@/lib/testing/database';

import { asSystem, asUser } from './context';

let t: TestDatabase;
let small: Database;
let owner: string;
let team: string;

beforeAll(async () => {
  t = await createTestDatabase();
  // Two connections only: a transaction that leaked its connection would hang the third call below.
  small = await openDatabase({ url: t.url, dataDir: '/nonexistent', migrationsDir: MIGRATIONS_DIR, poolSize: 2 });
  const { rows } = await t.db.pool.query(
    "INSERT INTO users (username, email, auth_provider) VALUES ('ctx_owner', 'ctx@example.com', 'github') RETURNING id",
  );
  owner = rows[0].id;
  team = (await t.db.pool.query("INSERT INTO teams (name) VALUES ('ctx-team') RETURNING id")).rows[0].id;
  await t.db.pool.query("INSERT INTO team_members (user_id, team_id, role) VALUES ($1, $2, 'owner')", [owner, team]);
});

afterAll(async () => {
  await small.close();
  await t.drop();
});

describe('asUser / asSystem', () => {
  it('turn a deferred constraint failure into a rolled-back error and keep the pool usable', async () => {
    for (let i = 0; i < 5; i += 1) {
      const attempt = asSystem(small.prisma, (tx) => tx.teamMember.deleteMany({ where: { teamId: team } }));
      await expect(attempt).rejects.toThrow(/must keep at least one owner/);
    }
    const members = await asUser(small.prisma, owner, (tx) => tx.teamMember.count({ where: { teamId: team } }));
    expect(members).toBe(1);
  });

  it('set app.user_id for the transaction only', async () => {
    const inside = await asUser(
      small.prisma,
      owner,
      (tx) => tx.$queryRaw<{ v: string }[]>`SELECT current_setting('app.user_id', true) AS v`,
    );
    expect(inside[0]!.v).toBe(owner);
    const after = await small.pool.query("SELECT coalesce(current_setting('app.user_id', true), '') AS v");
    expect(after.rows[0].v).toBe('');
  });

  it('refuses a user id that is not a uuid before touching the database', async () => {
    await expect(asUser(small.prisma, "x'; DROP TABLE users; --", async () => 1)).rejects.toThrow(/uuid/);
  });
});
