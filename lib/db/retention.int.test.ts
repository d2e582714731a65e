// Retention (spec, "Data Retention") as apply_retention(at) enforces it: deployment logs 30 days, deployments' log
// text 90 days (row and metadata kept), audit partitions older than a year moved to the audit_archive schema, and
// backups rotated to everything of the last 7 days plus one successful backup per week up to 4 weeks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import {
  count,
  insertAppTree,
  insertDatabase,
  insertDeployment,
  insertRow,
  inTransaction,
} from '@/lib/testing/fixtures';

let t: TestDatabase;
const pool = () => t.systemPool; // beneath row-level security: what the database itself does
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.drop();
});

type Retention = {
  deployment_logs_deleted: number;
  deployments_logs_archived: number;
  audit_partitions_archived: number;
  audit_default_rows_archived: number;
  backups_deleted: number;
  backup_files_to_remove: string[];
};

/** apply_retention in a session of the given time zone (weeks are UTC weeks whatever it is; see the last tests). */
async function applyRetention(at?: Date, timeZone = 'UTC'): Promise<Retention> {
  return inTransaction(pool(), { TimeZone: timeZone }, async (client) => {
    const { rows } = at
      ? await client.query<{ r: Retention }>('SELECT apply_retention($1) AS r', [at])
      : await client.query<{ r: Retention }>('SELECT apply_retention() AS r');
    return rows[0]!.r;
  });
}

describe('apply_retention() as of now', () => {
  const ago = (days: number) => new Date(Date.now() - days * DAY);
  const log = async (deploymentId: string, days: number) => {
    const row = { deployment_id: deploymentId, message: `${days} days old`, created_at: ago(days) };
    return (await insertRow(pool(), 'deployment_logs', row)).id as string;
  };
  const audit = async (action: string, createdAt?: Date | string) => {
    const row = { action, resource_type: 'user', ...(createdAt ? { created_at: createdAt } : {}) };
    return (await insertRow(pool(), 'audit_logs', row)).id as string;
  };
  const ids: Record<string, string> = {};
  let expectedPartitions: string[];
  let result: Retention;

  beforeAll(async () => {
    const { appId } = await insertAppTree(pool());
    const old = await insertDeployment(pool(), appId, { started_at: ago(40) });
    ids.old35 = await log(old.id, 35);
    ids.old31 = await log(old.id, 31);
    ids.old29 = await log(old.id, 29);
    const recent = await insertDeployment(pool(), appId, { started_at: ago(5) });
    ids.recent4 = await log(recent.id, 4);
    const ancient = await insertDeployment(pool(), appId, {
      started_at: ago(100),
      completed_at: ago(100),
      status: 'success',
      logs: 'Step 1/9 : FROM node:20',
      metadata: { commit: 'abc1234', image: 'app:1' },
    });
    ids.ancient = ancient.id;
    ids.ancientLog = await log(ancient.id, 100);
    const day89 = await insertDeployment(pool(), appId, { started_at: ago(89), logs: 'still here' });
    ids.day89 = day89.id;

    await pool().query("SELECT ensure_audit_log_partitions(0, '2024-01-01')");
    ids.audit2024 = await audit('old.event', '2024-01-15T10:00:00Z');
    ids.audit2020 = await audit('older.event', '2020-03-01T10:00:00Z');
    ids.auditRecent = await audit('recent.event', ago(200));
    ids.auditNow = await audit('now.event');

    // Monthly partitions whose month ended more than a year ago.
    const cutoff = new Date(Date.now() - 365 * DAY);
    const { rows } = await pool().query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_logs'::regclass AND c.relname ~ '^audit_logs_[0-9]{4}_[0-9]{2}$'`,
    );
    expectedPartitions = rows
      .map((r) => r.name)
      .filter((name) => new Date(Date.UTC(Number(name.slice(11, 15)), Number(name.slice(16, 18)), 1)) <= cutoff)
      .sort();
    expect(expectedPartitions).toContain('audit_logs_2024_01');

    result = await applyRetention();
  });

  it('deletes deployment log lines older than 30 days and keeps the newer ones', async () => {
    const logIds = [ids.old35, ids.old31, ids.old29, ids.recent4, ids.ancientLog];
    const sql = 'SELECT id FROM deployment_logs WHERE id = ANY($1::bigint[])';
    const { rows } = await pool().query<{ id: string }>(sql, [logIds]);
    expect(rows.map((r) => r.id).sort()).toEqual([ids.old29, ids.recent4].sort());
    expect(result.deployment_logs_deleted).toBe(3);
  });

  it('keeps a deployment older than 90 days with its metadata, without its log text', async () => {
    const { rows } = await pool().query('SELECT status, logs, metadata FROM deployments WHERE id = $1', [ids.ancient]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'success', logs: null, metadata: { commit: 'abc1234', image: 'app:1' } });
    expect(rows[0].metadata.logs_archived_at).toEqual(expect.any(String));
    expect(result.deployments_logs_archived).toBe(1);
  });

  it('keeps the log text of a deployment of 89 days', async () => {
    const { rows } = await pool().query('SELECT logs FROM deployments WHERE id = $1', [ids.day89]);
    expect(rows).toEqual([{ logs: 'still here' }]);
  });

  it('moves audit partitions of months that ended over a year ago to audit_archive', async () => {
    expect(result.audit_partitions_archived).toBe(expectedPartitions.length);
    const { rows } = await pool().query<{ schema: string; attached: boolean }>(
      `SELECT n.nspname AS schema, c.relispartition AS attached
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'audit_logs_2024_01'`,
    );
    expect(rows).toEqual([{ schema: 'audit_archive', attached: false }]);
    expect(await count(pool(), 'SELECT 1 FROM audit_logs WHERE id = $1', [ids.audit2024])).toBe(0);
    const archived = await pool().query('SELECT action FROM audit_archive.audit_logs_2024_01 WHERE id = $1', [
      ids.audit2024,
    ]);
    expect(archived.rows).toEqual([{ action: 'old.event' }]);
  });

  it('moves rows older than a year out of the default partition, and keeps the younger ones', async () => {
    expect(await count(pool(), 'SELECT 1 FROM audit_logs WHERE id = $1', [ids.audit2020])).toBe(0);
    const archived = await pool().query('SELECT action FROM audit_archive.audit_logs_default_rows WHERE id = $1', [
      ids.audit2020,
    ]);
    expect(archived.rows).toEqual([{ action: 'older.event' }]);
    expect(result.audit_default_rows_archived).toBe(1);
    const sql = 'SELECT action FROM audit_logs WHERE id = ANY($1::bigint[]) ORDER BY action';
    const { rows } = await pool().query<{ action: string }>(sql, [[ids.auditRecent, ids.auditNow]]);
    expect(rows.map((r) => r.action)).toEqual(['now.event', 'recent.event']);
  });

  it('has nothing left to do when run again', async () => {
    const again = await applyRetention();
    expect(again).toMatchObject({
      deployment_logs_deleted: 0,
      deployments_logs_archived: 0,
      audit_partitions_archived: 0,
      audit_default_rows_archived: 0,
      backups_deleted: 0,
    });
  });
});

describe('apply_retention(at) on backups', () => {
  const AT = new Date('2026-06-17T12:00:00Z'); // a Wednesday; weeks start on Monday
  type Backup = [label: string, database: 'db1' | 'db2', createdAt: string, status: string, kept: boolean];
  const backups: Backup[] = [
    ['failed yesterday', 'db1', '2026-06-16', 'failed', true],
    ['success this Monday', 'db1', '2026-06-15', 'success', true],
    ['success 5 days ago', 'db1', '2026-06-12', 'success', true],
    ['success 8 days ago, not the newest of its week', 'db1', '2026-06-09', 'success', false],
    ['failed 9 days ago', 'db1', '2026-06-08', 'failed', false],
    ['running since 8 days ago', 'db1', '2026-06-09', 'running', true],
    ['newest success of the week 2 weeks back', 'db1', '2026-06-05', 'success', true],
    ['failed after it in that week', 'db1', '2026-06-06', 'failed', false],
    ['older success of that week', 'db1', '2026-06-03', 'success', false],
    ['only success of the week 3 weeks back', 'db1', '2026-05-27', 'success', true],
    ['newest success of the week 4 weeks back, 27 days ago', 'db1', '2026-05-21', 'success', true],
    ['success 29 days ago', 'db1', '2026-05-19', 'success', false],
    ['newest success of the week 5 weeks back', 'db1', '2026-05-15', 'success', false],
    ['another database keeps its own weekly backup', 'db2', '2026-06-03', 'success', true],
  ];
  const pathOf = (i: number) => `s3://backups/${i}.dump`;
  const ids: string[] = [];
  let result: Retention;

  beforeAll(async () => {
    const { projectId } = await insertAppTree(pool());
    const databases = {
      db1: (await insertDatabase(pool(), projectId)).id,
      db2: (await insertDatabase(pool(), projectId)).id,
    };
    for (const [i, [, database, createdAt, status]] of backups.entries()) {
      const row = await insertRow(pool(), 'backups', {
        database_id: databases[database],
        type: 'full',
        status,
        storage_path: pathOf(i),
        size_bytes: 1024,
        created_at: new Date(`${createdAt}T12:00:00Z`),
      });
      ids.push(row.id as string);
    }
    result = await applyRetention(AT);
  });

  const fates = backups.map(([label, , , , kept], i) => [label, kept ? 'kept' : 'deleted', i] as const);
  it.each(fates)('%s: %s', async (_label, fate, i) => {
    expect(await count(pool(), 'SELECT 1 FROM backups WHERE id = $1', [ids[i]])).toBe(fate === 'kept' ? 1 : 0);
  });

  it('reports how many it deleted and which files to remove', () => {
    const removed = backups.flatMap(([, , , , kept], i) => (kept ? [] : [pathOf(i)]));
    expect(result.backups_deleted).toBe(removed.length);
    expect([...result.backup_files_to_remove].sort()).toEqual(removed.sort());
  });

  it('deletes nothing more when run again at the same time', async () => {
    expect((await applyRetention(AT)).backups_deleted).toBe(0);
  });
});

describe('apply_retention(at) cuts backup weeks in UTC, whatever the session time zone', () => {
  const AT = new Date('2026-06-17T12:00:00Z'); // Wednesday; the weeks before start on Monday 8 and Monday 1 June
  // Two successful backups older than 7 days, one either side of a UTC week boundary in the session's zone but in
  // the same UTC week. Only the newer of the two is the week's backup.
  it.each([
    // Sunday 7 June 20:00 UTC is already Monday 8 June at UTC+14.
    ['Pacific/Kiritimati', '2026-06-05T12:00:00Z', '2026-06-07T20:00:00Z'],
    // Monday 1 June 03:00 UTC is still Sunday 31 May at UTC-7.
    ['America/Los_Angeles', '2026-06-01T03:00:00Z', '2026-06-03T12:00:00Z'],
  ])('in a session at %s', async (timeZone, older, newer) => {
    const { projectId } = await insertAppTree(pool());
    const databaseId = (await insertDatabase(pool(), projectId)).id;
    const backup = async (createdAt: string) =>
      (
        await insertRow(pool(), 'backups', {
          database_id: databaseId,
          type: 'full',
          status: 'success',
          storage_path: `s3://backups/${timeZone}/${createdAt}.dump`,
          created_at: new Date(createdAt),
        })
      ).id as string;
    const [olderId, newerId] = [await backup(older), await backup(newer)];
    const result = await applyRetention(AT, timeZone);
    expect(result.backup_files_to_remove).toEqual([`s3://backups/${timeZone}/${older}.dump`]);
    const { rows } = await pool().query<{ id: string }>('SELECT id FROM backups WHERE id = ANY($1::uuid[])', [
      [olderId, newerId],
    ]);
    expect(rows).toEqual([{ id: newerId }]);
  });
});

describe('apply_retention() on a month archived before', () => {
  // A month's partition can be made again after it was archived (ensure_audit_log_partitions with an old first
  // month, or a row of that month drained from the default partition); archiving it again adds to the archive.
  const MONTH = '2023-03-01';
  const ARCHIVED = 'audit_archive.audit_logs_2023_03';
  const audit = async (action: string, createdAt: string) =>
    (await insertRow(pool(), 'audit_logs', { action, resource_type: 'user', created_at: createdAt })).id as string;
  const location = async () => {
    const { rows } = await pool().query<{ schema: string; attached: boolean }>(
      `SELECT n.nspname AS schema, c.relispartition AS attached
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = 'audit_logs_2023_03' AND c.relkind = 'r' ORDER BY 1`,
    );
    return rows;
  };

  it('ends with every row of that month in audit_archive, in one table', async () => {
    expect(await pool().query('SELECT ensure_audit_log_partitions(0, $1) AS n', [MONTH])).toMatchObject({
      rows: [{ n: 1 }],
    });
    const first = await audit('first.archive', '2023-03-10T10:00:00Z');
    expect((await applyRetention()).audit_partitions_archived).toBeGreaterThanOrEqual(1);
    expect(await location()).toEqual([{ schema: 'audit_archive', attached: false }]);

    expect(await pool().query('SELECT ensure_audit_log_partitions(0, $1) AS n', [MONTH])).toMatchObject({
      rows: [{ n: 1 }],
    });
    expect(await location()).toEqual([
      { schema: 'audit_archive', attached: false },
      { schema: 'public', attached: true },
    ]);
    const second = await audit('second.archive', '2023-03-20T10:00:00Z');
    const again = await applyRetention();
    expect(again.audit_partitions_archived).toBe(1);

    expect(await location()).toEqual([{ schema: 'audit_archive', attached: false }]);
    const { rows } = await pool().query<{ id: string; action: string }>(
      `SELECT id, action FROM ${ARCHIVED} ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: first, action: 'first.archive' },
      { id: second, action: 'second.archive' },
    ]);
    expect(await count(pool(), 'SELECT 1 FROM audit_logs WHERE id = ANY($1::bigint[])', [[first, second]])).toBe(0);
  });

  it('archives a row of that month written after it was archived, via the default partition', async () => {
    // No partition of the month now: the row lands in audit_logs_default and goes to the default rows' archive.
    const late = await audit('late.event', '2023-03-25T10:00:00Z');
    expect((await applyRetention()).audit_default_rows_archived).toBe(1);
    expect(await count(pool(), 'SELECT 1 FROM audit_archive.audit_logs_default_rows WHERE id = $1', [late])).toBe(1);
    expect(await count(pool(), 'SELECT 1 FROM audit_logs WHERE id = $1', [late])).toBe(0);
  });
});
