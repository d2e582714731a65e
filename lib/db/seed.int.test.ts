import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decryptSecret, type KeyRing } from '@/lib/crypto';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';

import { DEMO_IDS, seedDemoData } from './seed';

let t: TestDatabase;
const ring: KeyRing = { current: 1, keys: new Map([[1, randomBytes(32)]]) };
const CIPHERTEXT = /^enc:v1:1:[A-Za-z0-9_-]+$/;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t.drop();
});

describe('seedDemoData', () => {
  it('loads the spec-shaped demo data once, with every secret encrypted at rest', async () => {
    const first = await seedDemoData(t.db.prisma, ring);
    expect(first.created).toBe(true);
    expect(Object.keys(first.passwords).sort()).toEqual(['jane_admin', 'john_doe']);
    expect(await seedDemoData(t.db.prisma, ring)).toEqual({ created: false, passwords: {} });

    const pool = t.systemPool; // every row, past row-level security
    const counts = await pool.query(`SELECT
      (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM applications) AS apps,
      (SELECT count(*)::int FROM deployment_logs) AS log_lines, (SELECT count(*)::int FROM audit_logs) AS audits`);
    expect(counts.rows[0]).toEqual({ users: 2, apps: 4, log_lines: 4, audits: 1 });

    const [secretEnv] = (await pool.query(`SELECT value FROM env_vars WHERE is_secret`)).rows;
    const [db] = (await pool.query(`SELECT connection_string FROM databases WHERE id = $1`, [DEMO_IDS.postgres])).rows;
    const [cert] = (await pool.query(`SELECT private_key FROM certificates`)).rows;
    const [git] = (await pool.query(`SELECT webhook_config->>'secret' AS secret FROM git_sources`)).rows;
    for (const value of [secretEnv.value, db.connection_string, cert.private_key, git.secret])
      expect(value).toMatch(CIPHERTEXT);
    expect(decryptSecret(ring, secretEnv.value, 'env_vars.value')).toMatch(/^sk_demo_/);
    expect(decryptSecret(ring, db.connection_string, 'databases.connection_string')).toMatch(
      /^postgresql:\/\/slipway:/,
    );
    expect(() => decryptSecret(ring, db.connection_string, 'env_vars.value')).toThrow();

    const stats = await pool.query(
      'SELECT total_applications::int AS total, running::int, failed::int FROM application_stats WHERE project_id = $1',
      [DEMO_IDS.saasProject],
    );
    expect(stats.rows).toEqual([{ total: 3, running: 2, failed: 1 }]);

    const [john] = (await pool.query(`SELECT password_hash FROM users WHERE username = 'john_doe'`)).rows;
    expect(john.password_hash).toMatch(/^\$2[aby]\$12\$/);
    expect(john.password_hash).not.toContain(first.passwords.john_doe);
  });
});
