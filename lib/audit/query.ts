// The audit page's list: one statement per page, newest first, paged by the (created_at, id) keyset so page 2,000
// costs what page 1 does over millions of rows. audit_logs is range-partitioned by month (docs/decisions.md D6):
// every page carries an upper bound on created_at (now, the `to` day, or the cursor), and a lower one when asked, so
// PostgreSQL opens only the monthly partitions that can hold the page. audit_logs has no row-level security: the
// caller checks can(user, 'audit.read') first.
import { AUDIT_RESOURCE_TYPES } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  auditFiltersSchema,
  encodeAuditCursor,
  type AuditFilterInput,
  type AuditFilters,
} from '@/lib/validation/audit';

export type AuditLogItem = {
  /** audit_logs.id (a bigint) in decimal. */
  id: string;
  createdAt: Date;
  userId: string | null;
  /** null when the row was written for no one, or its user has since been deleted. */
  username: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
};

export type AuditLogPage = { items: AuditLogItem[]; nextCursor: string | null };

type Row = {
  id: string;
  created_at: Date;
  created_at_exact: string;
  user_id: string | null;
  username: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  details: unknown;
  ip: string | null;
  user_agent: string | null;
};

/** Only `_` (and the escape character) can reach here from the action filter's alphabet; `%` is escaped anyway. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The statement behind listAuditLogs (exported so tests and the benchmark can EXPLAIN exactly what runs). */
export function auditLogsSql(filters: AuditFilters): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`a.created_at < ${filters.until.toISOString()}::timestamptz`];
  if (filters.from) conditions.push(Prisma.sql`a.created_at >= ${filters.from.toISOString()}::timestamptz`);
  if (filters.user) {
    // A scalar subquery rather than a join condition on u.username: the planner then reads each partition's
    // (user_id, created_at DESC) index in page order. An unknown username yields NULL, which matches nothing.
    conditions.push(Prisma.sql`a.user_id = (SELECT id FROM users WHERE username = ${filters.user})`);
  }
  if (filters.action?.prefix) {
    conditions.push(Prisma.sql`a.action LIKE ${`${escapeLike(filters.action.value)}%`} ESCAPE '\\'`);
  } else if (filters.action) {
    conditions.push(Prisma.sql`a.action = ${filters.action.value}`);
  }
  if (filters.resourceType) {
    conditions.push(Prisma.sql`a.resource_type = ${filters.resourceType}`);
  } else if (filters.resourceId) {
    // Every type the CHECK allows: an id alone can then still use the (resource_type, resource_id) index.
    conditions.push(Prisma.sql`a.resource_type IN (${Prisma.join([...AUDIT_RESOURCE_TYPES])})`);
  }
  if (filters.resourceId) conditions.push(Prisma.sql`a.resource_id = ${filters.resourceId}::uuid`);
  if (filters.cursor) {
    const at = Prisma.sql`${filters.cursor.createdAt}::timestamptz`;
    // The row comparison is the keyset; the plain bound beside it is what partition pruning and the created_at
    // indexes can use (neither looks inside a row comparison).
    conditions.push(Prisma.sql`a.created_at <= ${at}`);
    conditions.push(Prisma.sql`(a.created_at, a.id) < (${at}, ${filters.cursor.id}::bigint)`);
  }

  return Prisma.sql`
    SELECT a.id::text AS id, a.created_at,
           to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact,
           a.user_id, u.username, a.action, a.resource_type, a.resource_id, a.details,
           host(a.ip_address) AS ip, a.user_agent
      FROM audit_logs a
      LEFT JOIN users u ON u.id = a.user_id
     WHERE ${Prisma.join(conditions, ' AND ')}
     ORDER BY a.created_at DESC, a.id DESC
     LIMIT ${filters.limit + 1}`;
}

// details is a jsonb object by constraint; anything else would be shown as nothing rather than break the page.
function detailsOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** One page of audit entries, newest first. Invalid filters throw the ZodError of auditFiltersSchema. */
export async function listAuditLogs(tx: Tx, input: AuditFilterInput = {}): Promise<AuditLogPage> {
  const filters = auditFiltersSchema.parse(input);
  // One row more than the page tells whether another page follows, without a COUNT.
  const rows = await tx.$queryRaw<Row[]>(auditLogsSql(filters));
  const page = rows.slice(0, filters.limit);
  const items = page.map((row): AuditLogItem => ({
    id: row.id,
    createdAt: row.created_at,
    userId: row.user_id,
    username: row.username,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    details: detailsOf(row.details),
    ip: row.ip,
    userAgent: row.user_agent,
  }));
  const last = page.at(-1);
  const nextCursor =
    rows.length > filters.limit && last ? encodeAuditCursor({ createdAt: last.created_at_exact, id: last.id }) : null;
  return { items, nextCursor };
}
