import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';

import { refreshApplicationStats, refreshStatsOnChange, runMaintenance } from './maintenance';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t.drop();
});

describe('maintenance', () => {
  it('makes the coming months of audit partitions, applies retention and refreshes stats', async () => {
    const { pool } = t.db;
    const setup = await pool.connect();
    try {
      const user = await setup.query<{ id: string }>(
        "INSERT INTO users (username, email, auth_provider) VALUES ('maint', 'maint@example.com', 'github') RETURNING id",
      );
      await setup.query("SELECT set_config('app.rls_bypass', 'on', false)");
      const project = await setup.query<{ id: string }>(
        "INSERT INTO projects (name, owner_id) VALUES ('maint-project', $1) RETURNING id",
        [user.rows[0]!.id],
      );
      await setup.query(
        `INSERT INTO applications (project_id, name, type, source_type, status)
         VALUES ($1, 'a', 'docker', 'docker', 'running'), ($1, 'b', 'docker', 'docker', 'failed')`,
        [project.rows[0]!.id],
      );
      // Webhook deliveries: one 31 days old (goes), one 29 days old (stays).
      const app = await setup.query<{ id: string }>("SELECT id FROM applications WHERE name = 'a'");
      const source = await setup.query<{ id: string }>(
        "INSERT INTO git_sources (application_id, provider, repository, branch) VALUES ($1, 'github', 'o/r', 'main') RETURNING id",
        [app.rows[0]!.id],
      );
      await setup.query(
        `INSERT INTO webhook_deliveries (git_source_id, provider, event, signature_ok, outcome, created_at)
         VALUES ($1, 'github', 'push', true, 'ignored', now() - interval '31 days'), ($1, 'github', 'push', true, 'ignored', now() - interval '29 days')`,
        [source.rows[0]!.id],
      );
      // Sign-in throttle counters: an account's two days old (goes), one an hour old (stays).
      await setup.query(
        `INSERT INTO sign_in_throttles (scope, key, failures, last_failure_at)
         VALUES ('account', 'name:old', 3, now() - interval '2 days'), ('account', 'name:recent', 3, now() - interval '1 hour')`,
      );
      // Signed-out sessions: one past its end (goes), one still able to be replayed (stays).
      await setup.query(
        `INSERT INTO revoked_sessions (sid, expires_at)
         VALUES (gen_random_uuid(), now() - interval '1 minute'), (gen_random_uuid(), now() + interval '1 day')`,
      );
    } finally {
      // The bypass was set for this session only; end it rather than return it to the pool.
      setup.release(true);
    }

    const report = await runMaintenance(pool);
    expect(report).not.toBeNull();
    expect(report!.retention).toMatchObject({
      deployment_logs_deleted: 0,
      backups_deleted: 0,
      webhook_deliveries_deleted: 1,
      sign_in_throttles_deleted: 1,
      revoked_sessions_deleted: 1,
    });
    const kept = await t.systemPool.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries');
    expect(kept.rows[0]!.n).toBe(1);
    const revoked = await t.systemPool.query<{ n: number }>('SELECT count(*)::int AS n FROM revoked_sessions');
    expect(revoked.rows[0]!.n).toBe(1);

    const months = await pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_logs'::regclass AND c.relname ~ '^audit_logs_[0-9]{4}_[0-9]{2}$'`,
    );
    const now = new Date();
    for (let ahead = 0; ahead <= 3; ahead += 1) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
      const name = `audit_logs_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
      expect(months.rows.map((r) => r.name)).toContain(name);
    }

    const stats = await pool.query(
      'SELECT total_applications::int AS total, running::int, failed::int FROM application_stats',
    );
    expect(stats.rows).toEqual([{ total: 2, running: 1, failed: 1 }]);

    await t.systemPool.query(`UPDATE applications SET status = 'stopped' WHERE name = 'b'`);
    // The refresh opts out of row-level security itself: from a pool with no user and no bypass, it still counts all.
    await refreshApplicationStats(pool);
    const after = await pool.query('SELECT failed::int, stopped::int FROM application_stats');
    expect(after.rows).toEqual([{ failed: 0, stopped: 1 }]);
  });

  it('skips the round while another process holds the maintenance lock', async () => {
    const holder = await t.db.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707370)');
      expect(await runMaintenance(t.db.pool)).toBeNull();
      await holder.query('SELECT pg_advisory_unlock(72707370)');
      expect(await runMaintenance(t.db.pool)).not.toBeNull();
    } finally {
      holder.release();
    }
  });
});

describe('application_stats follows changes without waiting for the 30-second refresh', () => {
  it('refreshes shortly after applications change, once per burst, and stops cleanly', async () => {
    const { pool } = t.db;
    const listener = refreshStatsOnChange(pool, { delayMs: 50 });
    try {
      const setup = await pool.connect();
      let projectId: string;
      try {
        const user = await setup.query<{ id: string }>(
          "INSERT INTO users (username, email, auth_provider) VALUES ('stats', 'stats@example.com', 'github') RETURNING id",
        );
        await setup.query("SELECT set_config('app.rls_bypass', 'on', false)");
        projectId = (
          await setup.query<{ id: string }>(
            "INSERT INTO projects (name, owner_id) VALUES ('stats-project', $1) RETURNING id",
            [user.rows[0]!.id],
          )
        ).rows[0]!.id;
      } finally {
        setup.release(true);
      }
      const total = async () =>
        Number(
          (
            await pool.query<{ n: string | null }>(
              'SELECT total_applications AS n FROM application_stats WHERE project_id = $1',
              [projectId],
            )
          ).rows[0]?.n ?? 0,
        );
      // The listener connects asynchronously: wait until a first change is seen before counting on it.
      await vi.waitFor(
        async () => {
          await t.systemPool.query(
            `INSERT INTO applications (project_id, name, type) VALUES ($1, 'x-' || gen_random_uuid(), 'docker')`,
            [projectId],
          );
          expect(await total()).toBeGreaterThan(0);
        },
        { timeout: 5000, interval: 200 },
      );
      const live = async () =>
        Number(
          (
            await t.systemPool.query<{ n: string }>('SELECT count(*) AS n FROM applications WHERE project_id = $1', [
              projectId,
            ])
          ).rows[0]!.n,
        );
      await t.systemPool.query(
        `INSERT INTO applications (project_id, name, type) SELECT $1, 'burst-' || i, 'docker' FROM generate_series(1, 5) i`,
        [projectId],
      );
      const expected = await live();
      await vi.waitFor(async () => expect(await total()).toBe(expected), { timeout: 5000, interval: 50 });
    } finally {
      listener.stop();
    }
    // Stopping gave the connection back: the pool can still serve every slot.
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });
});
