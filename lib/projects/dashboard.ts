// The dashboard's project list: projects with their team and application counts in one query, paged by the
// (name, id) keyset so a late page costs what the first does and rows added meanwhile never shift a page.
// Runs inside asSystem()/asUser(): projects has forced row-level security, so the caller decides who is asking.
import type { Tx } from '@/lib/db/context';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  dashboardOptionsSchema,
  encodeCursor,
  type DashboardOptions,
  type DashboardQuery,
} from '@/lib/validation/dashboard';

export type ApplicationCounts = {
  total: number;
  running: number;
  stopped: number;
  failed: number;
  deploying: number;
  scaling: number;
};

export type DashboardProject = {
  id: string;
  name: string;
  description: string | null;
  teamName: string | null;
  tags: string[];
  counts: ApplicationCounts;
};

export type DashboardPage = { items: DashboardProject[]; nextCursor: string | null };

type Row = {
  id: string;
  name: string;
  description: string | null;
  team_name: string | null;
  tags: unknown;
} & ApplicationCounts;

/** `%`, `_` and the escape character itself match literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The statement behind listDashboardProjects (exported so tests can EXPLAIN exactly what runs). */
export function dashboardProjectsSql(query: DashboardQuery): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (query.search) conditions.push(Prisma.sql`p.name ILIKE ${`%${escapeLike(query.search)}%`} ESCAPE '\\'`);
  // Containment on the whole document is what the GIN index on projects.metadata can answer.
  if (query.tag) conditions.push(Prisma.sql`p.metadata @> ${JSON.stringify({ tags: [query.tag] })}::jsonb`);
  if (query.after) conditions.push(Prisma.sql`(p.name, p.id) > (${query.after.name}, ${query.after.id}::uuid)`);
  const where = conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;

  // application_stats is a materialized view: a project without applications (or not yet refreshed) has no row.
  return Prisma.sql`
    SELECT p.id, p.name, p.description, t.name AS team_name, p.metadata -> 'tags' AS tags,
           COALESCE(s.total_applications, 0)::int AS total,
           COALESCE(s.running, 0)::int AS running,
           COALESCE(s.stopped, 0)::int AS stopped,
           COALESCE(s.failed, 0)::int AS failed,
           COALESCE(s.deploying, 0)::int AS deploying,
           COALESCE(s.scaling, 0)::int AS scaling
      FROM projects p
      LEFT JOIN teams t ON t.id = p.team_id
      LEFT JOIN application_stats s ON s.project_id = p.id
      ${where}
     ORDER BY p.name, p.id
     LIMIT ${query.limit + 1}`;
}

// metadata is free-form JSON: show only the string entries of an array, whatever else was stored.
function tagsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** One page of projects ordered by name then id. Invalid options throw the ZodError of dashboardOptionsSchema. */
export async function listDashboardProjects(tx: Tx, options: DashboardOptions = {}): Promise<DashboardPage> {
  const query = dashboardOptionsSchema.parse(options);
  // One row more than the page tells whether another page follows, without a COUNT.
  const rows = await tx.$queryRaw<Row[]>(dashboardProjectsSql(query));
  const items = rows.slice(0, query.limit).map((row): DashboardProject => ({
    id: row.id,
    name: row.name,
    description: row.description,
    teamName: row.team_name,
    tags: tagsOf(row.tags),
    counts: {
      total: row.total,
      running: row.running,
      stopped: row.stopped,
      failed: row.failed,
      deploying: row.deploying,
      scaling: row.scaling,
    },
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}
