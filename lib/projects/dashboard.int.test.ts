import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import { asSystem, asUser } from '@/lib/db/context';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { queryPlan } from '@/lib/testing/fixtures';
import { dashboardOptionsSchema, encodeCursor } from '@/lib/validation/dashboard';

import {
  dashboardProjectsSql,
  listDashboardProjects,
  type ApplicationCounts,
  type DashboardProject,
} from './dashboard';

// 120 projects: alice owns project-000…074 and five odd names, bob owns project-035…074 again. Same-name pairs
// (one per owner) start at position 38, so the page boundaries at 50 and 100 each fall inside a pair and only the
// id tie-breaker keeps the pages apart.
const SPECIAL_NAMES = ['100% uptime', '1000 uptime', 'under_score', 'underXscore', 'under\\score'];
const STATUS_CYCLE = ['running', 'running', 'stopped', 'failed', 'deploying', 'scaling'] as const;
const pad = (n: number) => String(n).padStart(3, '0');

let test: TestDatabase;
let aliceId: string;
type Owner = 'alice' | 'bob';
const expected = new Map<
  string,
  { owner: Owner; name: string; teamName: string | null; tags: string[]; counts: ApplicationCounts }
>();

function tagsFor(owner: Owner, n: number): string | string[] | undefined {
  if (owner === 'bob') return n === 40 ? ['critical'] : undefined;
  if (n % 10 === 0) return n % 20 === 0 ? ['critical', 'customer-facing'] : ['critical'];
  if (n === 1) return ['critical-path'];
  if (n === 2) return 'critical'; // not an array: matches no tag filter and shows no tags
  return undefined;
}

async function seed() {
  const { prisma } = test.db;
  await asSystem(prisma, async (tx) => {
    const alice = await tx.user.create({
      data: { username: 'alice', email: 'alice@example.com', authProvider: 'github' },
    });
    const bob = await tx.user.create({ data: { username: 'bob', email: 'bob@example.com', authProvider: 'github' } });
    aliceId = alice.id;
    const team = await tx.team.create({
      data: { name: 'Platform', members: { create: { userId: alice.id, role: 'owner' } } },
    });

    type Row = {
      name: string;
      ownerId: string;
      teamId: string | null;
      metadata: Record<string, string | string[]>;
      description: string;
    };
    const rows: Row[] = [];
    const add = (owner: Owner, name: string, n: number) => {
      const tags = tagsFor(owner, n);
      rows.push({
        name,
        ownerId: owner === 'alice' ? alice.id : bob.id,
        teamId: owner === 'alice' && n % 3 === 0 ? team.id : null,
        metadata: tags === undefined ? {} : { tags, owner: 'ops' },
        description: `${owner}'s ${name}`,
      });
    };
    for (let n = 0; n < 75; n++) add('alice', `project-${pad(n)}`, n);
    for (const name of SPECIAL_NAMES) add('alice', name, -1);
    for (let n = 35; n < 75; n++) add('bob', `project-${pad(n)}`, n);
    expect(rows).toHaveLength(120);

    const projects = await tx.project.createManyAndReturn({ data: rows });
    const applications: {
      projectId: string;
      name: string;
      type: string;
      sourceType: string;
      status: string;
      deletedAt?: Date;
    }[] = [];
    projects.forEach((project, index) => {
      const counts: ApplicationCounts = { total: 0, running: 0, stopped: 0, failed: 0, deploying: 0, scaling: 0 };
      // Bob's projects have none (zeros from the LEFT JOIN); alice's have 0–6 live ones.
      const live = project.ownerId === alice.id ? index % 7 : 0;
      for (let j = 0; j < live; j++) {
        const status = STATUS_CYCLE[(index + j) % STATUS_CYCLE.length]!;
        applications.push({ projectId: project.id, name: `app-${j}`, type: 'docker', sourceType: 'docker', status });
        counts.total += 1;
        counts[status] += 1;
      }
      // Soft-deleted applications are not counted.
      if (index % 5 === 0) {
        applications.push({
          projectId: project.id,
          name: 'old',
          type: 'docker',
          sourceType: 'docker',
          status: 'archived',
          deletedAt: new Date(),
        });
      }
      const tags = (project.metadata as { tags?: unknown }).tags;
      expected.set(project.id, {
        owner: project.ownerId === alice.id ? 'alice' : 'bob',
        name: project.name,
        teamName: project.teamId ? 'Platform' : null,
        tags: Array.isArray(tags) ? tags : [],
        counts,
      });
    });
    await tx.application.createMany({ data: applications });
  });
  await test.systemPool.query('REFRESH MATERIALIZED VIEW CONCURRENTLY application_stats'); // sees every project
}

const list = (options: Parameters<typeof listDashboardProjects>[1]) =>
  asSystem(test.db.prisma, (tx) => listDashboardProjects(tx, options));

const names = (items: DashboardProject[]) => items.map((item) => item.name);

beforeAll(async () => {
  test = await createTestDatabase();
  await seed();
});

afterAll(async () => {
  await test?.drop();
});

describe('listDashboardProjects', () => {
  it('returns every project with its team, tags and application counts (zeros without applications)', async () => {
    const { items, nextCursor } = await list({ limit: 100 });
    const rest = await list({ limit: 100, after: nextCursor! });
    const all = [...items, ...rest.items];
    expect(all).toHaveLength(120);
    for (const item of all) {
      const want = expected.get(item.id)!;
      expect(item).toMatchObject({ name: want.name, teamName: want.teamName, tags: want.tags, counts: want.counts });
    }
    const totals = all.reduce((sum, item) => sum + item.counts.total, 0);
    expect(totals).toBeGreaterThan(200);
    expect(all.filter((item) => item.counts.total === 0).length).toBeGreaterThan(40);
  });

  it('pages of 50 cover all 120 projects exactly once, in (name, id) order', async () => {
    const pages: DashboardProject[][] = [];
    let after: string | undefined;
    do {
      const page = await list({ after });
      pages.push(page.items);
      after = page.nextCursor ?? undefined;
    } while (after && pages.length < 10);

    expect(pages.map((page) => page.length)).toEqual([50, 50, 20]);
    const ids = pages.flat().map((item) => item.id);
    expect(new Set(ids).size).toBe(120);
    const order = await asSystem(
      test.db.prisma,
      (tx) => tx.$queryRaw<{ id: string }[]>`SELECT id FROM projects ORDER BY name, id`,
    );
    expect(ids).toEqual(order.map((row) => row.id));
    // Both boundaries split a same-name pair: the cursor's id is what separates the pages.
    expect(pages[0]!.at(-1)!.name).toBe(pages[1]![0]!.name);
    expect(pages[1]!.at(-1)!.name).toBe(pages[2]![0]!.name);
  });

  it('sees only what row-level security lets the user see', async () => {
    const page = await asUser(test.db.prisma, aliceId, (tx) => listDashboardProjects(tx, { limit: 100 }));
    expect(page.items).toHaveLength(80);
    expect(page.nextCursor).toBeNull();
    expect(page.items.every((item) => expected.get(item.id)!.owner === 'alice')).toBe(true);
  });

  it.each([
    {
      search: 'PROJECT-07',
      want: [
        'project-070',
        'project-070',
        'project-071',
        'project-071',
        'project-072',
        'project-072',
        'project-073',
        'project-073',
        'project-074',
        'project-074',
      ],
    },
    { search: '  uptime ', want: ['100% uptime', '1000 uptime'] },
    { search: '100%', want: ['100% uptime'] },
    { search: '%', want: ['100% uptime'] },
    { search: '_score', want: ['under_score'] },
    { search: '_', want: ['under_score'] },
    { search: 'r\\s', want: ['under\\score'] },
    { search: 'nothing like this', want: [] },
  ])('search $search matches names case-insensitively and literally', async ({ search, want }) => {
    const page = await list({ search, limit: 100 });
    expect(names(page.items).sort()).toEqual([...want].sort());
  });

  it('filters by tag with exact membership in metadata.tags', async () => {
    const critical = await list({ tag: 'critical' });
    expect(names(critical.items)).toEqual([
      'project-000',
      'project-010',
      'project-020',
      'project-030',
      'project-040',
      'project-040',
      'project-050',
      'project-060',
      'project-070',
    ]);
    expect(critical.items.every((item) => item.tags.includes('critical'))).toBe(true);
    expect(names((await list({ tag: 'customer-facing' })).items)).toEqual([
      'project-000',
      'project-020',
      'project-040',
      'project-060',
    ]);
    expect((await list({ tag: 'crit' })).items).toEqual([]);
    expect(names((await list({ tag: 'critical', search: '-04' })).items)).toEqual(['project-040', 'project-040']);
  });

  it('pages through a filtered list with the same cursor rules', async () => {
    const first = await list({ tag: 'critical', limit: 4 });
    const second = await list({ tag: 'critical', limit: 4, after: first.nextCursor! });
    const third = await list({ tag: 'critical', limit: 4, after: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((item) => item.name)).toHaveLength(9);
    expect(third.nextCursor).toBeNull();
  });

  it.each([
    { after: 'not base64!' },
    { after: 'aGVsbG8' }, // "hello"
    { after: encodeCursor({ name: 'x', id: 'not-a-uuid' }) },
    { after: Buffer.from(JSON.stringify([1, 2])).toString('base64url') },
    {
      after: Buffer.from(JSON.stringify(['a', '00000000-0000-4000-8000-000000000000', 'extra'])).toString('base64url'),
    },
    { after: 'A'.repeat(5000) },
    { tag: 'Critical' },
    { tag: "a'; DROP TABLE projects; --" },
    { tag: 'a%' },
    { tag: 'x'.repeat(51) },
    { search: 's'.repeat(101) },
    { limit: 0 },
    { limit: 101 },
    { limit: 2.5 },
  ])('refuses %o with a ZodError', async (options) => {
    await expect(list(options)).rejects.toBeInstanceOf(ZodError);
  });

  it('treats blank filters as absent and accepts the largest page', async () => {
    const page = await list({ search: '   ', tag: '', after: '', limit: 100 });
    expect(page.items).toHaveLength(100);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe('the tag filter and the GIN index', () => {
  // EXPLAIN as the superuser, where row-level security does not apply: under RLS, PostgreSQL must evaluate the
  // policy before any non-LEAKPROOF operator, and jsonb @> is not LEAKPROOF, so no index can serve it for the
  // panel's role whatever the query says. This checks that the predicate itself is one the index answers.
  it('can use projects_metadata_idx for the tag predicate', async () => {
    const sql = dashboardProjectsSql(dashboardOptionsSchema.parse({ tag: 'critical' }));
    const plan = await queryPlan(test.name, sql);
    expect(plan).toContain('projects_metadata_idx');
  });
});
