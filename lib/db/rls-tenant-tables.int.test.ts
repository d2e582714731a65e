// Row-level security on every table owned through a project (migration 20261203000000_tenant_row_level_security),
// proved with raw SQL as the panel's kind of role (slipway_test: NOSUPERUSER, NOBYPASSRLS, owner of the tables) and
// nothing of the application in between. Two tenants, each with one row in every table: A's project is in a team
// where M writes and V only reads; X is another tenant. Every statement runs in a transaction that is rolled back,
// so each case starts from the same rows.
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';

import { asSystem } from '@/lib/db/context';
import {
  addMember,
  insertApplication,
  insertCertificate,
  insertDatabase,
  insertDeployment,
  insertDomain,
  insertProject,
  insertRow,
  insertTeam,
  insertUser,
  insertVolume,
  setUpTestDatabase,
  sqlError,
  uniqueName,
  validCertificate,
  type Row,
} from '@/lib/testing/fixtures';

const t = setUpTestDatabase();

/** Runs work for the user in a transaction that is always rolled back. */
async function forUser<T>(userId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await t().db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.user_id', $1, true)", [userId]);
    return await work(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}
const runAs = (userId: string, sql: string, params: unknown[] = []) => forUser(userId, (c) => c.query(sql, params));

/** One project with a row in every tenant table, written past row-level security. */
async function tenantTree(ownerId: string, teamId: string | null = null) {
  const db = t().systemPool;
  const id = async (row: Promise<Row>) => String((await row).id);
  const project = await id(insertProject(db, ownerId, { team_id: teamId }));
  const app = await id(insertApplication(db, project));
  const bareApp = await id(insertApplication(db, project)); // no volume, no git source: free to delete or attach to
  const database = await id(insertDatabase(db, project));
  const gitSource = await id(
    insertRow(db, 'git_sources', { application_id: app, provider: 'github', repository: 'o/r' }),
  );
  const deployment = await id(insertDeployment(db, app));
  const log = await id(insertRow(db, 'deployment_logs', { deployment_id: deployment, message: 'built' }));
  const envVar = await id(insertRow(db, 'env_vars', { application_id: app, key: 'PORT', value: '8080' }));
  const volume = await id(insertVolume(db, { application_id: app }));
  const domain = await id(insertDomain(db, { projectId: project, type: 'application', id: app }));
  const certificate = await id(insertCertificate(db, domain));
  const backup = await id(insertRow(db, 'backups', { database_id: database, type: 'full' }));
  const delivery = await id(insertRow(db, 'webhook_deliveries', deliveryRow(gitSource)));
  return {
    project,
    app,
    bareApp,
    database,
    gitSource,
    deployment,
    log,
    envVar,
    volume,
    domain,
    certificate,
    backup,
    delivery,
  };
}
type Tree = Awaited<ReturnType<typeof tenantTree>>;

const deliveryRow = (gitSourceId: string): Row => ({
  git_source_id: gitSourceId,
  provider: 'github',
  event: 'push',
  signature_ok: true,
  outcome: 'ignored',
});

/**
 * Each tenant table: the tree's row in it (`rows`, all of them; `target`, the one updated and deleted), the column
 * naming its owner and the owner's id in a tree, and a valid new row under a tree's owner.
 */
type TableCase = {
  table: string;
  key?: string;
  rows: (tree: Tree) => string[];
  target: (tree: Tree) => string;
  owner: string;
  ownerOf: (tree: Tree) => string;
  newRow: (tree: Tree) => Row;
};
const TABLES: TableCase[] = [
  {
    table: 'applications',
    rows: (r) => [r.app, r.bareApp],
    target: (r) => r.bareApp,
    owner: 'project_id',
    ownerOf: (r) => r.project,
    newRow: (r) => ({ project_id: r.project, name: uniqueName('app'), type: 'docker' }),
  },
  {
    table: 'databases',
    rows: (r) => [r.database],
    target: (r) => r.database,
    owner: 'project_id',
    ownerOf: (r) => r.project,
    newRow: (r) => ({ project_id: r.project, name: uniqueName('db'), type: 'postgresql' }),
  },
  {
    table: 'volumes',
    rows: (r) => [r.volume],
    target: (r) => r.volume,
    owner: 'application_id',
    ownerOf: (r) => r.bareApp,
    newRow: (r) => ({ name: uniqueName('vol'), mount_path: '/data', size_gb: 1, application_id: r.bareApp }),
  },
  {
    table: 'domains',
    rows: (r) => [r.domain],
    target: (r) => r.domain,
    owner: 'project_id',
    ownerOf: (r) => r.project,
    newRow: (r) => ({
      project_id: r.project,
      domain: `${uniqueName('d')}.example.com`,
      target_type: 'application',
      target_id: r.app,
    }),
  },
  {
    table: 'git_sources',
    rows: (r) => [r.gitSource],
    target: (r) => r.gitSource,
    owner: 'application_id',
    ownerOf: (r) => r.bareApp,
    newRow: (r) => ({ application_id: r.bareApp, provider: 'gitlab', repository: 'o/r' }),
  },
  {
    table: 'deployments',
    rows: (r) => [r.deployment],
    target: (r) => r.deployment,
    owner: 'application_id',
    ownerOf: (r) => r.app,
    newRow: (r) => ({ application_id: r.app }),
  },
  {
    table: 'env_vars',
    rows: (r) => [r.envVar],
    target: (r) => r.envVar,
    owner: 'application_id',
    ownerOf: (r) => r.bareApp,
    newRow: (r) => ({ application_id: r.app, key: 'LOG_LEVEL', value: 'debug' }),
  },
  {
    table: 'deployment_logs',
    rows: (r) => [r.log],
    target: (r) => r.log,
    owner: 'deployment_id',
    ownerOf: (r) => r.deployment,
    newRow: (r) => ({ deployment_id: r.deployment, message: 'more' }),
  },
  {
    table: 'webhook_deliveries',
    rows: (r) => [r.delivery],
    target: (r) => r.delivery,
    owner: 'git_source_id',
    ownerOf: (r) => r.gitSource,
    newRow: (r) => deliveryRow(r.gitSource),
  },
  {
    table: 'certificates',
    rows: (r) => [r.certificate],
    target: (r) => r.certificate,
    owner: 'domain_id',
    ownerOf: (r) => r.domain,
    newRow: (r) => validCertificate(r.domain),
  },
  {
    table: 'backups',
    rows: (r) => [r.backup],
    target: (r) => r.backup,
    owner: 'database_id',
    ownerOf: (r) => r.database,
    newRow: (r) => ({ database_id: r.database, type: 'snapshot' }),
  },
];

const u: Record<'a' | 'm' | 'v' | 'x' | 'nobody', string> = { a: '', m: '', v: '', x: '', nobody: '' };
let treeA: Tree;
let treeX: Tree;

beforeAll(async () => {
  for (const key of Object.keys(u) as (keyof typeof u)[]) u[key] = (await insertUser(t().systemPool)).id;
  const team = (await insertTeam(t().systemPool)).id;
  await addMember(t().systemPool, team, u.a, 'owner');
  await addMember(t().systemPool, team, u.m, 'member');
  await addMember(t().systemPool, team, u.v, 'viewer');
  treeA = await tenantTree(u.a, team);
  treeX = await tenantTree(u.x);
});

const keyOf = (c: TableCase) => c.key ?? 'id';
const tableCase = (name: string) => TABLES.find((c) => c.table === name)!;
const sorted = (ids: string[]) => [...ids].sort();
/** The keys of every row of the table the statement's session can see. */
const visible = async (c: TableCase, client: Pick<pg.ClientBase, 'query'>) =>
  sorted((await client.query<{ k: string }>(`SELECT ${keyOf(c)}::text AS k FROM ${c.table}`)).rows.map((r) => r.k));
/** The row as stored, read past row-level security. */
const stored = async (c: TableCase, key: string) =>
  (await t().systemPool.query(`SELECT * FROM ${c.table} WHERE ${keyOf(c)} = $1`, [key])).rows[0] as Row | undefined;
const insertSql = (table: string, row: Row) =>
  `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row)
    .map((_, i) => `$${i + 1}`)
    .join(', ')})`;
const params = (row: Row) => Object.values(row);

describe('the tenant tables', () => {
  it('are every table a foreign key chain ties to projects, so a new one must join TABLES (and get its policies)', async () => {
    const { rows } = await t().db.pool.query<{ name: string }>(`
      WITH RECURSIVE owned(rel) AS (
        SELECT 'public.projects'::regclass
        UNION
        SELECT c.conrelid::regclass FROM pg_constraint c JOIN owned o ON c.confrelid = o.rel
         WHERE c.contype = 'f' AND c.conrelid <> c.confrelid)
      SELECT relname AS name FROM owned JOIN pg_class ON pg_class.oid = owned.rel
       WHERE relname <> 'projects' AND NOT relispartition ORDER BY relname`);
    expect(rows.map((r) => r.name)).toEqual(TABLES.map((c) => c.table).sort());
  });
});

describe.each(TABLES)('row-level security on $table', (c) => {
  it('is enabled and forced', async () => {
    const { rows } = await t().db.pool.query(
      `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = ('public.' || $1)::regclass`,
      [c.table],
    );
    expect(rows).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
  });

  it("shows each person their own project's rows: the owner, a team member and a team viewer A's, X only X's", async () => {
    for (const user of [u.a, u.m, u.v])
      expect(await forUser(user, (cl) => visible(c, cl))).toEqual(sorted(c.rows(treeA)));
    expect(await forUser(u.x, (cl) => visible(c, cl))).toEqual(sorted(c.rows(treeX)));
    expect(await forUser(u.nobody, (cl) => visible(c, cl))).toEqual([]);
  });

  it('shows nothing without a user, and everything to the system (asSystem and app.rls_bypass)', async () => {
    expect(await visible(c, t().db.pool)).toEqual([]);
    const all = sorted([...c.rows(treeA), ...c.rows(treeX)]);
    expect(await visible(c, t().systemPool)).toEqual(all);
    const viaPrisma = await asSystem(t().db.prisma, (tx) =>
      tx.$queryRawUnsafe<{ k: string }[]>(`SELECT ${keyOf(c)}::text AS k FROM ${c.table}`),
    );
    expect(sorted(viaPrisma.map((r) => r.k))).toEqual(all);
  });

  it("lets X neither read, update nor delete A's row, even by its key", async () => {
    const target = c.target(treeA);
    const before = await stored(c, target);
    expect((await runAs(u.x, `SELECT 1 FROM ${c.table} WHERE ${keyOf(c)} = $1`, [target])).rowCount).toBe(0);
    const moved = await runAs(u.x, `UPDATE ${c.table} SET ${c.owner} = $2 WHERE ${keyOf(c)} = $1`, [
      target,
      c.ownerOf(treeX),
    ]);
    expect(moved.rowCount).toBe(0);
    const deleted = await forUser(u.x, (cl) => cl.query(`DELETE FROM ${c.table} WHERE ${keyOf(c)} = $1`, [target]));
    expect(deleted.rowCount).toBe(0);
    expect(await stored(c, target)).toEqual(before);
  });

  it("refuses X a new row under A's project, and A a new row under X's (42501)", async () => {
    const row = c.newRow(treeA);
    expect((await sqlError(runAs(u.x, insertSql(c.table, row), params(row)))).code).toBe('42501');
    const theirs = c.newRow(treeX);
    expect((await sqlError(runAs(u.a, insertSql(c.table, theirs), params(theirs)))).code).toBe('42501');
  });

  it('lets the team viewer read but not write', async () => {
    const target = c.target(treeA);
    expect(
      (await runAs(u.v, `UPDATE ${c.table} SET ${c.owner} = ${c.owner} WHERE ${keyOf(c)} = $1`, [target])).rowCount,
    ).toBe(0);
    expect((await runAs(u.v, `DELETE FROM ${c.table} WHERE ${keyOf(c)} = $1`, [target])).rowCount).toBe(0);
    const row = c.newRow(treeA);
    expect((await sqlError(runAs(u.v, insertSql(c.table, row), params(row)))).code).toBe('42501');
  });

  it.each([
    ['the owner', 'a'],
    ['a writing team member', 'm'],
  ] as const)('lets %s insert, update and delete', async (_label, who) => {
    const target = c.target(treeA);
    const row = c.newRow(treeA);
    expect((await runAs(u[who], insertSql(c.table, row), params(row))).rowCount).toBe(1);
    const update = `UPDATE ${c.table} SET ${c.owner} = ${c.owner} WHERE ${keyOf(c)} = $1`;
    expect((await runAs(u[who], update, [target])).rowCount).toBe(1);
    expect((await runAs(u[who], `DELETE FROM ${c.table} WHERE ${keyOf(c)} = $1`, [target])).rowCount).toBe(1);
  });

  it("does not let A move A's row under X's project (WITH CHECK, 42501)", async () => {
    const move = runAs(u.a, `UPDATE ${c.table} SET ${c.owner} = $2 WHERE ${keyOf(c)} = $1`, [
      c.target(treeA),
      c.ownerOf(treeX),
    ]);
    expect((await sqlError(move)).code).toBe('42501');
  });
});

describe('rows that point across tenants', () => {
  it("refuses a volume of A's project attached to X's application", async () => {
    const row = {
      name: uniqueName('vol'),
      mount_path: '/data',
      size_gb: 1,
      application_id: treeX.bareApp,
      project_id: treeA.project,
    };
    expect((await sqlError(runAs(u.a, insertSql('volumes', row), params(row)))).code).toBe('42501');
  });

  it("refuses a domain of A's project routed to X's application or database", async () => {
    for (const [type, id] of [
      ['application', treeX.app],
      ['database', treeX.database],
    ]) {
      const row = {
        project_id: treeA.project,
        domain: `${uniqueName('d')}.example.com`,
        target_type: type,
        target_id: id,
      };
      expect((await sqlError(runAs(u.a, insertSql('domains', row), params(row)))).code, type).toBe('42501');
    }
  });
});

describe('deployment_logs partitions named directly', () => {
  it('show a person nothing and the system every line', async () => {
    const partitions = ['deployment_logs_0', 'deployment_logs_1', 'deployment_logs_2', 'deployment_logs_3'];
    const count = async (client: Pick<pg.ClientBase, 'query'>) => {
      let n = 0;
      for (const name of partitions) n += (await client.query(`SELECT 1 FROM ${name}`)).rowCount ?? 0;
      return n;
    };
    expect(await forUser(u.a, count)).toBe(0);
    expect(await count(t().systemPool)).toBe(2);
  });
});

describe("the tables' triggers and functions, run by a person", () => {
  it('mirror a plain variable a team member writes into applications.env_vars (the trigger updates as them)', async () => {
    const mirror = await forUser(u.m, async (cl) => {
      await cl.query("INSERT INTO env_vars (application_id, key, value) VALUES ($1, 'REGION', 'eu')", [treeA.app]);
      return (await cl.query('SELECT env_vars FROM applications WHERE id = $1', [treeA.app])).rows[0]?.env_vars;
    });
    expect(mirror).toEqual({ PORT: '8080', REGION: 'eu' });
  });

  it("fill a volume's project from the application it is attached to", async () => {
    const projectOf = await forUser(u.m, async (cl) => {
      const sql =
        "INSERT INTO volumes (name, mount_path, size_gb, application_id) VALUES ($1, '/d', 1, $2) RETURNING project_id";
      return (await cl.query(sql, [uniqueName('vol'), treeA.bareApp])).rows[0]?.project_id;
    });
    expect(projectOf).toBe(treeA.project);
  });

  it('remove the domains of an application its owner deletes', async () => {
    const left = await forUser(u.a, async (cl) => {
      const domain = `${uniqueName('d')}.example.com`;
      await cl.query(
        insertSql('domains', {
          project_id: treeA.project,
          domain,
          target_type: 'application',
          target_id: treeA.bareApp,
        }),
        [treeA.project, domain, 'application', treeA.bareApp],
      );
      await cl.query('DELETE FROM applications WHERE id = $1', [treeA.bareApp]);
      return (await cl.query('SELECT 1 FROM domains WHERE domain = $1', [domain])).rowCount;
    });
    expect(left).toBe(0);
  });

  it("soft-delete an application for its owner, and nobody else's", async () => {
    const status = await forUser(u.a, async (cl) => {
      await cl.query('SELECT soft_delete_application($1)', [treeA.app]);
      return (await cl.query('SELECT status FROM applications WHERE id = $1', [treeA.app])).rows[0]?.status;
    });
    expect(status).toBe('archived');
    const before = await stored(tableCase('applications'), treeA.app);
    await forUser(u.x, async (cl) => {
      await cl.query('SELECT soft_delete_application($1)', [treeA.app]);
      await cl.query('COMMIT'); // what X did, kept: nothing
    });
    expect(await stored(tableCase('applications'), treeA.app)).toEqual(before);
  });
});

describe('volume_name_taken', () => {
  it("answers for another tenant's volume name, and leaves the caller's transaction bound by row-level security", async () => {
    const name = (await stored(tableCase('volumes'), treeA.volume))!.name;
    const seen = await forUser(u.x, async (cl) => {
      const { rows } = await cl.query('SELECT volume_name_taken($1) AS taken, volume_name_taken($2) AS free', [
        name,
        uniqueName('vol'),
      ]);
      return { ...rows[0], after: await visible(tableCase('volumes'), cl) };
    });
    expect(seen).toEqual({ taken: true, free: false, after: [treeX.volume] });
  });
});
