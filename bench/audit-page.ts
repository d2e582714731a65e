// bench: the audit page's query (lib/audit/query.ts) over 1,000,000 rows in 12 monthly partitions, ~200 users and
// 30 actions. Prints p50/p95 of 20 runs per case (after one warm-up), each run as the page makes it (a transaction
// in asSystem), next to the baseline of the same pages fetched with OFFSET.
// Usage: npx tsx bench/audit-page.ts [--plans]   (--plans also prints each case's EXPLAIN ANALYZE)
import { performance } from 'node:perf_hooks';

import { auditLogsSql, listAuditLogs } from '@/lib/audit/query';
import { AUDIT_RESOURCE_TYPES } from '@/lib/audit/write';
import { asSystem } from '@/lib/db/context';
import { Prisma } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import setup from '@/lib/testing/global-setup';
import { auditFiltersSchema, type AuditFilterInput } from '@/lib/validation/audit';

import { fmt as format, ms, pct } from './support';

const ROWS = 1_000_000;
const BATCH = 100_000;
const USERS = 200;
const RESOURCES = 5_000;
const RUNS = 20;
const PAGE = 50;
const SHOW_PLANS = process.argv.includes('--plans');
const ACTIONS = [
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.sign_out',
  'authz.denied',
  'user.create',
  'user.role_change',
  'user.disable',
  'user.delete',
  'user.password_change',
  'team.create',
  'team.update',
  'team.delete',
  'team.member_add',
  'team.member_remove',
  'project.create',
  'project.update',
  'project.delete',
  'project.move_team',
  'application.create',
  'application.update',
  'application.delete',
  'application.deploy',
  'application.restart',
  'application.scale',
  'env.update',
  'env.reveal_secret',
  'database.create',
  'database.backup',
  'domain.create',
  'token.create',
];

const fmt = (value: number) => format(value, { width: 9, unit: '' });

async function seed(test: TestDatabase): Promise<{ start: Date; end: Date }> {
  const { pool } = test.db;
  await pool.query(`INSERT INTO users (username, email, auth_provider)
    SELECT format('user_%s', lpad(g::text, 3, '0')), format('user_%s@example.com', g), 'github'
      FROM generate_series(1, ${USERS}) g`);
  // The current UTC month and the 11 before it, partitions made first so no row lands in the DEFAULT partition.
  const { rows } = await pool.query<{ start: Date; end: Date }>(
    `SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '11 months') AT TIME ZONE 'UTC' AS start, now() AS "end"`,
  );
  const { start, end } = rows[0]!;
  await pool.query('SELECT ensure_audit_log_partitions(11, $1::date)', [start.toISOString().slice(0, 10)]);
  // Batches in time order, as an audit log grows; the hashes spread users, actions and resources evenly but
  // reproducibly. One row in 20 has no user (work done by the system).
  for (let lo = 1; lo <= ROWS; lo += BATCH) {
    await pool.query(
      `WITH u AS (SELECT array_agg(id ORDER BY username) AS ids FROM users)
       INSERT INTO audit_logs (user_id, action, resource_type, resource_id, details, ip_address, user_agent, created_at)
       SELECT CASE WHEN h.sys % 20 = 0 THEN NULL ELSE u.ids[1 + h.usr % ${USERS}] END,
              ($1::text[])[1 + h.act % $2],
              ($3::text[])[1 + h.res % 7],
              md5('resource-' || h.res)::uuid,
              jsonb_build_object('name', 'resource-' || h.res, 'seq', g),
              ('10.' || (h.usr % 250) || '.' || (h.res % 250) || '.' || (1 + h.act % 250))::inet,
              'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
              $5::timestamptz + ($6::timestamptz - $5::timestamptz) * ((g - 0.5) / ${ROWS})::float8
         FROM generate_series($4::int, $4::int + ${BATCH - 1}) g
        CROSS JOIN u
        CROSS JOIN LATERAL (SELECT hashint4(g) & 2147483647 AS usr, hashint4(g * 3 + 1) & 2147483647 AS act,
                                   (hashint4(g * 5 + 2) & 2147483647) % ${RESOURCES} AS res,
                                   hashint4(g * 7 + 3) & 2147483647 AS sys) h`,
      [ACTIONS, ACTIONS.length, AUDIT_RESOURCE_TYPES, lo, start, end],
    );
  }
  return { start, end };
}

type Stats = { p50: number; p95: number; rows: number };

async function time(run: () => Promise<number>): Promise<Stats> {
  await run(); // warm-up, not counted
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    rows = await run();
    times.push(ms(started));
  }
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p95: pct(times, 95), rows };
}

async function main() {
  await setup(); // the migrated template database, as the integration tests make it
  const test = await createTestDatabase();
  const { prisma, pool } = test.db;
  try {
    let started = performance.now();
    const { start } = await seed(test);
    const seeding = ms(started);
    started = performance.now();
    await pool.query('VACUUM ANALYZE audit_logs');
    const vacuum = ms(started);
    const count = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n;
    const parts = (
      await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass`,
      )
    ).rows[0]!.n;
    const size = (
      await pool.query<{ size: string }>(
        `SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) AS size FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass`,
      )
    ).rows[0]!.size;
    console.log(`audit_logs: ${count.toLocaleString('en')} rows in ${parts} partitions (${size} with indexes)`);
    console.log(
      `seeding ${(seeding / 1000).toFixed(1)} s (${Math.round(count / (seeding / 1000)).toLocaleString('en')} rows/s), VACUUM ANALYZE ${(vacuum / 1000).toFixed(1)} s`,
    );

    const page = (filters: AuditFilterInput) =>
      asSystem(prisma, (tx) => listAuditLogs(tx, { limit: PAGE, ...filters }));
    type Case = { run: () => Promise<number>; sql: Prisma.Sql };
    const keyset = (filters: AuditFilterInput): Case => ({
      run: async () => (await page(filters)).items.length,
      sql: auditLogsSql(auditFiltersSchema.parse({ limit: PAGE, ...filters })),
    });

    // Follow the "Older" links from the first page, as a person paging would.
    const cursors = new Map<number, string>();
    started = performance.now();
    let cursor: string | undefined;
    for (let n = 2; n <= 2000; n += 1) {
      cursor = (await page({ cursor })).nextCursor ?? undefined;
      if (!cursor) throw new Error(`the chain ended before page ${n}`);
      cursors.set(n, cursor);
    }
    const chain = ms(started);

    const sample = (
      await pool.query<{ resource_type: string; resource_id: string }>(
        `SELECT resource_type, resource_id FROM audit_logs WHERE resource_id = md5('resource-1234')::uuid LIMIT 1`,
      )
    ).rows[0]!;
    const mid = new Date(start.getTime() + 182 * 86_400_000).toISOString().slice(0, 10);
    const midEnd = new Date(start.getTime() + 195 * 86_400_000).toISOString().slice(0, 10);

    const offsetSql = (offset: number) => Prisma.sql`
      SELECT a.id::text AS id, a.created_at, a.user_id, u.username, a.action, a.resource_type, a.resource_id, a.details,
             host(a.ip_address) AS ip, a.user_agent
        FROM audit_logs a LEFT JOIN users u ON u.id = a.user_id
       WHERE a.created_at < ${new Date(Date.now() + 1).toISOString()}::timestamptz
       ORDER BY a.created_at DESC, a.id DESC OFFSET ${offset} LIMIT ${PAGE}`;
    const offset = (n: number): Case => ({
      run: async () =>
        (await asSystem(prisma, (tx) => tx.$queryRaw<{ id: string }[]>(offsetSql((n - 1) * PAGE)))).length,
      sql: offsetSql((n - 1) * PAGE),
    });
    // What PostgreSQL alone spends (the rest of a run is the transaction's round trips), and how many partitions
    // the plan opens after pruning.
    const explain = async (sql: Prisma.Sql) => {
      const plan = (
        await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql.text}`, sql.values)
      ).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
      const partitions = new Set(
        [...plan.matchAll(/ on (audit_logs_(?:\d{4}_\d{2}|default))(?!\w)/g)].map((match) => match[1]),
      ).size;
      return { exec: Number(/Execution Time: ([\d.]+)/.exec(plan)?.[1]), partitions, plan };
    };

    // Both ways must return the same rows, or the comparison means nothing.
    for (const n of [200, 2000]) {
      const viaKeyset = (await page({ cursor: cursors.get(n) })).items.map((item) => item.id);
      const viaOffset = (await asSystem(prisma, (tx) => tx.$queryRaw<{ id: string }[]>(offsetSql((n - 1) * PAGE)))).map(
        (r) => r.id,
      );
      if (viaKeyset.join() !== viaOffset.join()) throw new Error(`page ${n}: keyset and OFFSET disagree`);
    }

    const cases: [string, Case][] = [
      ['first page, unfiltered', keyset({})],
      ['page 200 (cursor from the chain)', keyset({ cursor: cursors.get(200) })],
      ['page 2000 (cursor from the chain)', keyset({ cursor: cursors.get(2000) })],
      ['user = user_042', keyset({ user: 'user_042' })],
      ['action = application.deploy', keyset({ action: 'application.deploy' })],
      ['action = user.* (prefix)', keyset({ action: 'user.*' })],
      [
        `resource = ${sample.resource_type} ${sample.resource_id.slice(0, 8)}`,
        keyset({ resourceType: sample.resource_type, resourceId: sample.resource_id }),
      ],
      [`resource id alone ${sample.resource_id.slice(0, 8)}`, keyset({ resourceId: sample.resource_id })],
      [`date range ${mid} … ${midEnd}`, keyset({ from: mid, to: midEnd })],
      ['user + action + date range', keyset({ user: 'user_042', action: 'project.*', from: mid, to: midEnd })],
      ['BASELINE page 200 with OFFSET 9,950', offset(200)],
      ['BASELINE page 2000 with OFFSET 99,950', offset(2000)],
    ];
    console.log(
      `following "Older" from page 1 to page 2000: ${(chain / 1000).toFixed(1)} s (${(chain / 1999).toFixed(2)} ms a page)`,
    );
    console.log(
      `\n${'case'.padEnd(44)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'db ms'.padStart(9)}  partitions  rows`,
    );
    for (const [label, { run, sql }] of cases) {
      const stats = await time(run);
      const plan = await explain(sql);
      console.log(
        `${label.padEnd(44)}${fmt(stats.p50)}${fmt(stats.p95)}${fmt(plan.exec)}  ${String(plan.partitions).padStart(10)}  ${stats.rows}`,
      );
      if (SHOW_PLANS) console.log(`${plan.plan}\n`);
    }
    console.log(
      `\np50/p95: ${RUNS} runs of listAuditLogs in asSystem (BEGIN, set_config, the query, COMMIT) after one warm-up;`,
    );
    console.log(
      'db ms: Execution Time of one EXPLAIN ANALYZE of the same statement; partitions: those left after pruning.',
    );
  } finally {
    await test.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
