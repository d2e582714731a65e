// Partitioning: deployment_logs spread by hash of deployment_id over four partitions, audit_logs by UTC month with
// a DEFAULT partition that ensure_audit_log_partitions() drains into the month's partition once it is made.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';

import { count, insertAppTree, insertDeployment, insertRow, setUpTestDatabase, sqlError } from '@/lib/testing/fixtures';

const t = setUpTestDatabase();
const pool = () => t().systemPool; // beneath row-level security: what the database itself does

const partitionOf = async (table: string, id: unknown): Promise<string> => {
  const sql = `SELECT tableoid::regclass::text AS part FROM ${table} WHERE id = $1`;
  const { rows } = await pool().query<{ part: string }>(sql, [id]);
  expect(rows).toHaveLength(1);
  return rows[0]!.part;
};

const auditPartitions = async (): Promise<string[]> => {
  const { rows } = await pool().query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_logs'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
};

describe('deployment_logs, by hash of deployment_id', () => {
  const DEPLOYMENTS = 40;
  const linesOf = (i: number) => 1 + (i % 3);
  const lineText = (i: number, line: number) => `deployment ${i} line ${line}`;
  let deploymentIds: string[];
  let inserted: number;

  beforeAll(async () => {
    const { appId } = await insertAppTree(pool());
    deploymentIds = [];
    inserted = 0;
    for (let i = 0; i < DEPLOYMENTS; i++) {
      const deployment = await insertDeployment(pool(), appId);
      deploymentIds.push(deployment.id);
      for (let line = 0; line < linesOf(i); line++) {
        await insertRow(pool(), 'deployment_logs', { deployment_id: deployment.id, message: lineText(i, line) });
        inserted += 1;
      }
    }
  });

  it('has exactly the four hash partitions', async () => {
    const { rows } = await pool().query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'deployment_logs'::regclass ORDER BY 1`,
    );
    expect(rows).toEqual(
      [0, 1, 2, 3].map((r) => ({ name: `deployment_logs_${r}`, bound: `FOR VALUES WITH (modulus 4, remainder ${r})` })),
    );
  });

  it('spreads the rows of 40 deployments over all four partitions', async () => {
    const { rows } = await pool().query<{ part: string; n: string }>(
      'SELECT tableoid::regclass::text AS part, count(*) AS n FROM deployment_logs GROUP BY 1 ORDER BY 1',
    );
    expect(rows.map((r) => r.part)).toEqual([0, 1, 2, 3].map((n) => `deployment_logs_${n}`));
    expect(rows.reduce((sum, r) => sum + Number(r.n), 0)).toBe(inserted);
  });

  it('keeps all lines of one deployment in one partition', async () => {
    const { rows } = await pool().query<{ n: string }>(
      `SELECT count(DISTINCT tableoid) AS n FROM deployment_logs
        GROUP BY deployment_id HAVING count(DISTINCT tableoid) > 1`,
    );
    expect(rows).toEqual([]);
  });

  it('reads every row back through the parent, per deployment and in order', async () => {
    expect(await count(pool(), 'SELECT 1 FROM deployment_logs')).toBe(inserted);
    for (const [i, id] of deploymentIds.entries()) {
      const { rows } = await pool().query<{ message: string }>(
        'SELECT message FROM deployment_logs WHERE deployment_id = $1 ORDER BY id',
        [id],
      );
      expect(rows.map((r) => r.message)).toEqual(Array.from({ length: linesOf(i) }, (_, line) => lineText(i, line)));
    }
  });

  it('gives ids from one sequence across partitions', async () => {
    const { rows } = await pool().query<{ ids: string; distinct_ids: string }>(
      'SELECT count(id) AS ids, count(DISTINCT id) AS distinct_ids FROM deployment_logs',
    );
    expect(rows[0]!.distinct_ids).toBe(rows[0]!.ids);
  });
});

describe('audit_logs, by UTC month', () => {
  type AuditRow = { id: string; created_at: Date };
  const insertAudit = (createdAt: Date | string) =>
    insertRow<AuditRow>(pool(), 'audit_logs', {
      action: 'test.partition',
      resource_type: 'user',
      created_at: createdAt,
    });
  const ensure = async (call: string) => {
    const { rows } = await pool().query<{ created: number }>(`SELECT ${call} AS created`);
    return rows[0]!.created;
  };

  it('makes the missing months up to 3 ahead and reports how many; a second call makes none', async () => {
    const now = new Date();
    const wanted = [0, 1, 2, 3].map((ahead) => {
      const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
      return `audit_logs_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
    });
    const before = await auditPartitions();
    const missing = wanted.filter((name) => !before.includes(name)).length;
    expect(await ensure('ensure_audit_log_partitions(3)')).toBe(missing);
    expect(await auditPartitions()).toEqual(expect.arrayContaining(wanted));
    expect(await ensure('ensure_audit_log_partitions(3)')).toBe(0);
  });

  it('puts a row written now in the partition of the current UTC month', async () => {
    const row = await insertRow<AuditRow>(pool(), 'audit_logs', { action: 'test.now', resource_type: 'user' });
    const at = row.created_at;
    const expected = `audit_logs_${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(await partitionOf('audit_logs', row.id)).toBe(expected);
  });

  it('bounds each month partition at UTC midnight of the first', async () => {
    await pool().query("SELECT ensure_audit_log_partitions(0, '2031-02-01')");
    const { rows } = await pool().query<{ bound: string }>(
      "SELECT pg_get_expr(relpartbound, oid) AS bound FROM pg_class WHERE relname = 'audit_logs_2031_02'",
    );
    const bounds = await pool().query<{ from: Date; to: Date }>(
      `SELECT (regexp_match($1, 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS from,
              (regexp_match($1, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS to`,
      [rows[0]!.bound],
    );
    expect(bounds.rows[0]).toEqual({ from: new Date('2031-02-01T00:00:00Z'), to: new Date('2031-03-01T00:00:00Z') });
  });

  it('makes each month once when five sessions call ensure_audit_log_partitions together', async () => {
    // Panels starting together call it at the same moment; the function serializes them with an advisory lock.
    const clients = Array.from({ length: 5 }, () => new pg.Client({ connectionString: t().url }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      for (const first of ['2030-01-01', '2030-04-01', '2030-07-01']) {
        const created = await Promise.all(
          clients.map(async (c) => {
            const { rows } = await c.query<{ n: number }>('SELECT ensure_audit_log_partitions(2, $1) AS n', [first]);
            return rows[0]!.n;
          }),
        );
        expect(
          created.reduce((a, b) => a + b, 0),
          `months from ${first}`,
        ).toBe(3);
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const { rows } = await pool().query<{ name: string; attached: boolean }>(
      `SELECT relname AS name, relispartition AS attached FROM pg_class
        WHERE relname LIKE 'audit\\_logs\\_2030\\_%' AND relkind = 'r' ORDER BY 1`,
    );
    const months = Array.from({ length: 9 }, (_, i) => `audit_logs_2030_${String(i + 1).padStart(2, '0')}`);
    expect(rows).toEqual(months.map((name) => ({ name, attached: true })));
    expect(await auditPartitions()).toEqual(expect.arrayContaining(months));
  });

  describe('a month that has no partition yet', () => {
    let inMay: AuditRow[];
    let inJune: AuditRow;
    let totalBefore: number;

    beforeAll(async () => {
      inMay = [
        await insertAudit('1999-05-03T12:00:00Z'),
        await insertAudit('1999-05-01T00:00:00Z'),
        await insertAudit('1999-05-31T23:59:59.999Z'),
        // 23:30 on 30 April at UTC-1 is 00:30 on 1 May in UTC: May, since months are UTC months.
        await insertAudit('1999-04-30T23:30:00-01:00'),
      ];
      inJune = await insertAudit('1999-06-01T00:00:00Z');
      totalBefore = await count(pool(), 'SELECT 1 FROM audit_logs');
    });

    it('sends its rows to audit_logs_default', async () => {
      for (const row of [...inMay, inJune]) expect(await partitionOf('audit_logs', row.id)).toBe('audit_logs_default');
    });

    it('gets a partition from ensure_audit_log_partitions(0, first_month), which drains the default', async () => {
      expect(await ensure("ensure_audit_log_partitions(0, '1999-05-01')")).toBe(1);
      expect(await auditPartitions()).toContain('audit_logs_1999_05');
      for (const row of inMay) expect(await partitionOf('audit_logs', row.id)).toBe('audit_logs_1999_05');
      expect(await partitionOf('audit_logs', inJune.id)).toBe('audit_logs_default');
      expect(await count(pool(), "SELECT 1 FROM audit_logs_default WHERE created_at < '1999-06-01T00:00:00Z'")).toBe(0);
      expect(await count(pool(), 'SELECT 1 FROM audit_logs')).toBe(totalBefore);
    });

    it('keeps the moved rows unchanged', async () => {
      const { rows } = await pool().query<{ id: string; created_at: Date }>(
        'SELECT id, created_at FROM audit_logs WHERE id = ANY($1) ORDER BY id',
        [inMay.map((r) => r.id)],
      );
      const byId = (a: AuditRow, b: AuditRow) => Number(a.id) - Number(b.id);
      expect(rows).toEqual(inMay.map((r) => ({ id: r.id, created_at: r.created_at })).sort(byId));
    });

    it('gives the new partition the indexes and checks of the parent', async () => {
      // Each index of the parent has its child index on the partition (primary key included).
      const { rows } = await pool().query<{ parent: string; attached: string }>(
        `SELECT (SELECT count(*) FROM pg_index WHERE indrelid = 'audit_logs'::regclass) AS parent,
                (SELECT count(*) FROM pg_index x JOIN pg_inherits h ON h.inhrelid = x.indexrelid
                  WHERE x.indrelid = 'audit_logs_1999_05'::regclass) AS attached`,
      );
      expect(rows[0]!.attached).toBe(rows[0]!.parent);
      expect(Number(rows[0]!.parent)).toBe(5);
      const refused = await sqlError(
        pool().query(
          "INSERT INTO audit_logs (action, resource_type, created_at) VALUES ('x', 'volume', '1999-05-10Z')",
        ),
      );
      expect(refused).toMatchObject({ code: '23514', constraint: 'check_audit_resource_type' });
    });

    it('is idempotent: a second call creates nothing and moves nothing', async () => {
      expect(await ensure("ensure_audit_log_partitions(0, '1999-05-01')")).toBe(0);
      expect(await count(pool(), 'SELECT 1 FROM audit_logs')).toBe(totalBefore);
      expect(await partitionOf('audit_logs', inMay[0]!.id)).toBe('audit_logs_1999_05');
    });

    it('takes new rows of that month directly', async () => {
      const row = await insertAudit('1999-05-20T08:00:00Z');
      expect(await partitionOf('audit_logs', row.id)).toBe('audit_logs_1999_05');
    });
  });
});
