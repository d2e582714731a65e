import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z, ZodError } from 'zod';

import { asSystem } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertUser } from '@/lib/testing/fixtures';
import { auditFiltersSchema, encodeAuditCursor, type AuditFilterInput } from '@/lib/validation/audit';

import { auditLogsSql, listAuditLogs, type AuditLogItem } from './query';
import { AUDIT_RESOURCE_TYPES } from './write';

// 600 rows over January–August 2025, 75 a month. March–August have monthly partitions; January and February stay in
// the DEFAULT partition. Rows come in threes with the same created_at (as one transaction's now() gives), at
// microsecond offsets a JS Date cannot hold, and are inserted shuffled so ids do not follow time.
const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08'];
const PER_MONTH = 75;
const STEP_US = 93_600_123_457n; // 26 h and a fraction of a second
const ACTIONS = [
  'project.create',
  'project.delete',
  'application.deploy',
  'user.role_change',
  'user.create',
  'user_token.create',
  'userxtoken.create',
  'auth.sign_in_failed',
  'authz.denied',
];
const RESOURCES = Array.from(
  { length: 10 },
  (_, i) => `5a0e8400-e29b-41d4-a716-4466554400${String(i).padStart(2, '0')}`,
);
const USERS = ['alice', 'alice', 'bob', 'carol', null] as const; // carol is deleted after her rows are written

type Generated = {
  n: number;
  atUs: bigint;
  at: string;
  user: (typeof USERS)[number];
  action: string;
  resourceType: string;
  resourceId: string | null;
  ip: string | null;
  userAgent: string;
  id?: string;
};

const usOf = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
function exact(us: bigint): string {
  return `${new Date(Number(us / 1000n)).toISOString().slice(0, 23)}${String(us % 1000n).padStart(3, '0')}Z`;
}

const rows: Generated[] = Array.from({ length: MONTHS.length * PER_MONTH }, (_, n) => {
  const month = MONTHS[Math.floor(n / PER_MONTH)]!;
  const atUs = usOf(`${month}-01T00:00:00Z`) + BigInt(Math.floor((n % PER_MONTH) / 3)) * STEP_US + 1n;
  return {
    n,
    atUs,
    at: exact(atUs),
    user: USERS[(n * 7) % USERS.length]!,
    action: ACTIONS[(n * 5) % ACTIONS.length]!,
    resourceType: AUDIT_RESOURCE_TYPES[n % 7]!,
    resourceId: n % 13 === 0 ? null : RESOURCES[n % 10]!,
    ip: n % 2 === 0 ? `10.0.${n % 256}.1` : n % 3 === 0 ? '2001:db8::1' : null,
    userAgent: `Mozilla/5.0 (test ${n})`,
  };
});
/** Newest first, ties by id, computed here rather than by the SQL under test. */
let ordered: Generated[];

let test: TestDatabase;
const userIds = new Map<string, string>();

beforeAll(async () => {
  test = await createTestDatabase();
  const { pool } = test.db;
  for (const month of MONTHS.slice(2))
    await pool.query('SELECT ensure_audit_log_partitions(0, $1::date)', [`${month}-01`]);
  for (const name of ['alice', 'bob', 'carol']) userIds.set(name, (await insertUser(pool, { username: name })).id);

  const shuffled = rows.map((_, i) => rows[(i * 37) % rows.length]!);
  const column = <T>(pick: (row: Generated) => T) => shuffled.map(pick);
  await pool.query(
    `INSERT INTO audit_logs (user_id, action, resource_type, resource_id, details, ip_address, user_agent, created_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[], $6::inet[], $7::text[], $8::timestamptz[])`,
    [
      column((r) => (r.user ? userIds.get(r.user)! : null)),
      column((r) => r.action),
      column((r) => r.resourceType),
      column((r) => r.resourceId),
      column((r) => JSON.stringify({ n: r.n })),
      column((r) => r.ip),
      column((r) => r.userAgent),
      column((r) => r.at),
    ],
  );
  await pool.query('DELETE FROM users WHERE id = $1', [userIds.get('carol')]);

  const stored = await pool.query<{ id: string; n: number }>(
    `SELECT id::text, (details->>'n')::int AS n FROM audit_logs`,
  );
  expect(stored.rowCount).toBe(rows.length);
  for (const { id, n } of stored.rows) rows[n]!.id = id;
  ordered = [...rows].sort((a, b) =>
    a.atUs !== b.atUs ? (a.atUs > b.atUs ? -1 : 1) : BigInt(a.id!) > BigInt(b.id!) ? -1 : 1,
  );
});

afterAll(async () => {
  await test?.drop();
});

const list = (input: AuditFilterInput) => asSystem(test.db.prisma, (tx) => listAuditLogs(tx, input));

async function collect(input: AuditFilterInput): Promise<{ items: AuditLogItem[]; pages: number }> {
  const items: AuditLogItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ ...input, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor && pages < 1000);
  return { items, pages };
}

const ids = (items: { id?: string }[]) => items.map((item) => item.id);

describe('listAuditLogs', () => {
  it('pages of 50 cover all 600 rows exactly once, newest first, splitting same-instant rows by id', async () => {
    const pages: AuditLogItem[][] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ cursor });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 20);
    expect(pages.map((page) => page.length)).toEqual(Array(12).fill(50));
    expect(ids(pages.flat())).toEqual(ids(ordered));
    // 50 is not a multiple of 3: the first boundary falls inside a group of rows with the same created_at.
    expect(ordered[49]!.atUs).toBe(ordered[50]!.atUs);
  });

  it('returns each row as written, ip as text, and a deleted user as null', async () => {
    const { items } = await collect({ limit: 200 });
    expect(items).toHaveLength(600);
    for (const item of items) {
      const row = rows[item.details.n as number]!;
      expect(item).toEqual({
        id: row.id,
        createdAt: expect.any(Date),
        userId: row.user && row.user !== 'carol' ? userIds.get(row.user) : null,
        username: row.user === 'carol' ? null : row.user,
        action: row.action,
        resourceType: row.resourceType,
        resourceId: row.resourceId,
        details: { n: row.n },
        ip: row.ip,
        userAgent: row.userAgent,
      });
      expect(Math.abs(item.createdAt.getTime() - Number(row.atUs / 1000n))).toBeLessThanOrEqual(1);
    }
    expect(rows.filter((row) => row.user === 'carol').length).toBeGreaterThan(100);
  });

  const inRange = (from: string, until: string) => (row: Generated) => row.atUs >= usOf(from) && row.atUs < usOf(until);
  it.each<{ label: string; input: AuditFilterInput; keep: (row: Generated) => boolean }>([
    { label: 'user alice', input: { user: 'alice' }, keep: (r) => r.user === 'alice' },
    { label: 'user bob', input: { user: ' bob ' }, keep: (r) => r.user === 'bob' },
    { label: 'a deleted user', input: { user: 'carol' }, keep: () => false },
    { label: 'an unknown user', input: { user: 'nobody' }, keep: () => false },
    { label: 'exact action', input: { action: 'user.create' }, keep: (r) => r.action === 'user.create' },
    { label: 'action prefix user.*', input: { action: 'user.*' }, keep: (r) => r.action.startsWith('user.') },
    {
      label: 'action prefix user_* (_ literal)',
      input: { action: 'user_*' },
      keep: (r) => r.action === 'user_token.create',
    },
    { label: 'action prefix u*', input: { action: 'u*' }, keep: (r) => r.action.startsWith('u') },
    { label: 'resource type', input: { resourceType: 'project' }, keep: (r) => r.resourceType === 'project' },
    {
      label: 'resource type and id',
      input: { resourceType: 'user', resourceId: RESOURCES[3] },
      keep: (r) => r.resourceType === 'user' && r.resourceId === RESOURCES[3],
    },
    {
      label: 'resource id alone, upper case',
      input: { resourceId: RESOURCES[7]!.toUpperCase() },
      keep: (r) => r.resourceId === RESOURCES[7],
    },
    {
      label: 'one monthly partition',
      input: { from: '2025-03-01', to: '2025-03-31' },
      keep: inRange('2025-03-01', '2025-04-01'),
    },
    {
      label: 'days in the default partition',
      input: { from: '2025-01-10', to: '2025-02-15' },
      keep: inRange('2025-01-10', '2025-02-16'),
    },
    {
      label: 'across the default and monthly partitions',
      input: { from: '2025-02-20', to: '2025-03-05' },
      keep: inRange('2025-02-20', '2025-03-06'),
    },
    { label: 'from only', input: { from: '2025-08-01' }, keep: inRange('2025-08-01', '2030-01-01') },
    { label: 'to only', input: { to: '2025-01-31' }, keep: inRange('2000-01-01', '2025-02-01') },
    { label: 'one day', input: { from: '2025-05-02', to: '2025-05-02' }, keep: inRange('2025-05-02', '2025-05-03') },
    {
      label: 'date-times with offsets',
      input: { from: '2025-04-03T01:00:00+01:00', to: '2025-04-20T12:00:00.000Z' },
      keep: inRange('2025-04-03T00:00:00Z', '2025-04-20T12:00:00.001Z'),
    },
    {
      label: 'everything at once',
      input: { user: 'alice', action: 'project.*', resourceType: 'team', from: '2025-02-01', to: '2025-07-31' },
      keep: (r) =>
        r.user === 'alice' &&
        r.action.startsWith('project.') &&
        r.resourceType === 'team' &&
        inRange('2025-02-01', '2025-08-01')(r),
    },
  ])('filters by $label, pages included', async ({ input, keep }) => {
    const want = ordered.filter(keep);
    const { items, pages } = await collect({ ...input, limit: 20 });
    expect(ids(items)).toEqual(ids(want));
    expect(pages).toBe(Math.max(1, Math.ceil(want.length / 20)));
    if (input.user !== 'carol' && input.user !== 'nobody') expect(want.length).toBeGreaterThan(0);
  });

  it('treats blank filters as absent and takes the page size as a string', async () => {
    const page = await list({
      user: '',
      action: '  ',
      resourceType: '',
      resourceId: '',
      from: '',
      to: '',
      cursor: '',
      limit: '200',
    });
    expect(ids(page.items)).toEqual(ids(ordered.slice(0, 200)));
    expect(page.nextCursor).not.toBeNull();
  });

  const cursorOf = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
  it.each<[keyof AuditFilterInput, unknown]>([
    ['user', 'Alice'],
    ['user', "a'; DROP TABLE audit_logs; --"],
    ['user', 'x'.repeat(51)],
    ['user', ['alice', 'bob']],
    ['action', 'user.**'],
    ['action', '*'],
    ['action', 'USER.create'],
    ['action', 'user.create;'],
    ['action', '%'],
    ['action', 'user .create'],
    ['action', 'a'.repeat(101)],
    ['action', `${'a'.repeat(101)}*`],
    ['resourceType', 'users'],
    ['resourceType', "project' OR '1'='1"],
    ['resourceId', 'not-a-uuid'],
    ['resourceId', '5a0e8400-e29b-41d4-a716-44665544000g'],
    ['resourceId', "' OR 1=1 --"],
    ['from', '2025-02-30'],
    ['from', 'yesterday'],
    ['from', '2025-13-01'],
    ['from', '1e10'],
    ['to', '2025-03-01T10:00:00'],
    ['cursor', 'not base64!'],
    ['cursor', 'aGVsbG8'],
    ['cursor', 'A'.repeat(500)],
    ['cursor', cursorOf(['2025-01-01T00:00:00Z', '1'])],
    ['cursor', cursorOf(['2025-01-01T00:00:00.000000Z', '0'])],
    ['cursor', cursorOf(['2025-01-01T00:00:00.000000Z', '-1'])],
    ['cursor', cursorOf(['2025-01-01T00:00:00.000000Z', '9223372036854775808'])],
    ['cursor', cursorOf(['2025-01-01T00:00:00.000000Z', 1])],
    ['cursor', cursorOf(['2025-01-01T00:00:00.000000Z', '1', 'x'])],
    ['limit', 0],
    ['limit', 201],
    ['limit', '1e2'],
    ['limit', '2.5'],
    ['limit', -1],
    ['limit', 'abc'],
  ])('refuses %s = %j with an error on that field', async (field, value) => {
    const input = { [field]: value } as AuditFilterInput;
    const result = auditFiltersSchema.safeParse(input);
    expect(result.success).toBe(false);
    const errors = z.flattenError(result.error!).fieldErrors as Record<string, string[] | undefined>;
    expect(errors[field]?.[0]).toMatch(/\w{3,}/);
    await expect(list(input)).rejects.toBeInstanceOf(ZodError);
  });

  it('refuses a range that ends before it starts, on the `to` field', () => {
    const result = auditFiltersSchema.safeParse({ from: '2025-03-02', to: '2025-03-01' });
    expect(z.flattenError(result.error!).fieldErrors).toEqual({
      to: ['The end date must be on or after the start date'],
    });
  });

  it('accepts a cursor it made itself and no other shape of the same data', () => {
    const cursor = encodeAuditCursor({ createdAt: '2025-05-01T10:00:00.123456Z', id: '42' });
    expect(auditFiltersSchema.parse({ cursor }).cursor).toEqual({ createdAt: '2025-05-01T10:00:00.123456Z', id: '42' });
  });
});

async function explain(client: pg.ClientBase, input: AuditFilterInput): Promise<string> {
  const sql = auditLogsSql(auditFiltersSchema.parse(input));
  const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.text}`, sql.values);
  return result.rows.map((row) => row['QUERY PLAN']).join('\n');
}
const scanned = (plan: string) =>
  [...new Set([...plan.matchAll(/ on (audit_logs_(?:\d{4}_\d{2}|default))(?!\w)/g)].map((m) => m[1]))].sort();

describe('the query plan', () => {
  it('opens only the partitions of the date range', async () => {
    const client = await test.db.pool.connect();
    try {
      expect(scanned(await explain(client, { user: 'alice', from: '2025-04-01', to: '2025-05-31' }))).toEqual([
        'audit_logs_2025_04',
        'audit_logs_2025_05',
      ]);
      expect(scanned(await explain(client, { from: '2025-01-05', to: '2025-02-20' }))).toEqual(['audit_logs_default']);
      // A cursor bounds the range from above too: newer months are not opened for an older page.
      const cursor = encodeAuditCursor({ createdAt: ordered.find((r) => r.at.startsWith('2025-04'))!.at, id: '1' });
      expect(scanned(await explain(client, { cursor, from: '2025-03-01' }))).toEqual([
        'audit_logs_2025_03',
        'audit_logs_2025_04',
      ]);
    } finally {
      client.release();
    }
  });

  it('reads a large partition through an index, never a Seq Scan, when filtering by user', async () => {
    const client = await test.db.pool.connect();
    try {
      await client.query('BEGIN');
      // 20,000 system rows in June: alice's few rows there are then worth an index.
      await client.query(`INSERT INTO audit_logs (action, resource_type, created_at)
        SELECT 'deployment.finish', 'deployment', '2025-06-01'::timestamptz + g * interval '2 minutes' FROM generate_series(1, 20000) g`);
      await client.query('ANALYZE audit_logs');
      const sizes = await client.query<{ part: string; rows: number }>(
        'SELECT tableoid::regclass::text AS part, count(*)::int AS rows FROM audit_logs GROUP BY 1',
      );
      const large = sizes.rows.filter((row) => row.rows > 1000).map((row) => row.part);
      expect(large).toEqual(['audit_logs_2025_06']);
      for (const input of [
        { user: 'alice' },
        { user: 'alice', from: '2025-06-01', to: '2025-06-30' },
        { user: 'bob', action: 'user.*' },
      ]) {
        const plan = await explain(client, input);
        expect(plan).toContain('audit_logs_2025_06_user_id_created_at_idx');
        for (const part of large) expect(plan).not.toMatch(new RegExp(`Seq Scan on ${part}\\b`));
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
