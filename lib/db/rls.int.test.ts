// Row-level security on projects, as the panel's own role (not a superuser, no BYPASSRLS, owner of the tables):
// what app.user_id lets a person see and change, and that system work opts out with app.rls_bypass = 'on'.
// Then the application_stats materialized view over soft-deleted applications.
import { beforeAll, describe, expect, it } from 'vitest';

import { asSystem, asUser } from '@/lib/db/context';
import {
  addMember,
  insertApplication,
  insertProject,
  insertTeam,
  insertUser,
  inTransaction,
  setUpTestDatabase,
  sqlError,
  uniqueName,
  userTx,
  withSuperuser,
} from '@/lib/testing/fixtures';

const t = setUpTestDatabase();
const pool = () => t().db.pool;

/** The row as it really is, looked at past row-level security. */
const asStored = (id: string) =>
  withSuperuser(
    t().adminUrl,
    async (admin) => (await admin.query('SELECT * FROM projects WHERE id = $1', [id])).rows[0],
  );
/** One statement in a transaction that acts for the user. */
const runAs = (userId: string, sql: string, params: unknown[] = []) =>
  userTx(pool(), userId, (c) => c.query(sql, params));
const visibleTo = async (userId: string) =>
  (await runAs(userId, 'SELECT id FROM projects')).rows.map((r: { id: string }) => r.id).sort();
const storedProjects = () =>
  withSuperuser(t().adminUrl, async (admin) => (await admin.query<{ id: string }>('SELECT id FROM projects')).rows);
/** The refusal of the projects_keep_owner trigger, told apart from a policy's (also 42501) by its message. */
const ONLY_THE_OWNER = expect.stringMatching(/^only the owner of project .* may change its owner or team$/);

describe('row-level security on projects', () => {
  const u: Record<'a' | 'b' | 'c' | 'viewer', string> = { a: '', b: '', c: '', viewer: '' };
  const p: Record<'a' | 'aTeam' | 'b' | 'team' | 'teamDoomed' | 'teamCoveted', string> = {
    a: '',
    aTeam: '',
    b: '',
    team: '',
    teamDoomed: '',
    teamCoveted: '',
  };
  let team: string;
  let teamOfA: string;

  beforeAll(async () => {
    for (const key of Object.keys(u) as (keyof typeof u)[]) u[key] = (await insertUser(pool())).id;
    team = (await insertTeam(pool())).id; // C owns it, B is a member, the viewer only looks; A is not in it
    await addMember(pool(), team, u.c, 'owner');
    await addMember(pool(), team, u.b, 'member');
    await addMember(pool(), team, u.viewer, 'viewer');
    teamOfA = (await insertTeam(pool())).id;
    await addMember(pool(), teamOfA, u.a, 'owner');
    p.a = (await insertProject(pool(), u.a)).id;
    p.aTeam = (await insertProject(pool(), u.a, { team_id: teamOfA })).id;
    p.b = (await insertProject(pool(), u.b)).id;
    p.team = (await insertProject(pool(), u.c, { team_id: team })).id;
    p.teamDoomed = (await insertProject(pool(), u.c, { team_id: team })).id;
    p.teamCoveted = (await insertProject(pool(), u.c, { team_id: team })).id;
  });

  it('is enabled and forced on projects, for a role that is neither superuser nor BYPASSRLS', async () => {
    const { rows } = await pool().query(
      `SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) = current_user AS owned,
              r.rolsuper, r.rolbypassrls
         FROM pg_class c, pg_roles r WHERE c.oid = 'public.projects'::regclass AND r.rolname = current_user`,
    );
    expect(rows).toEqual([
      { relrowsecurity: true, relforcerowsecurity: true, owned: true, rolsuper: false, rolbypassrls: false },
    ]);
  });

  it("shows B B's own project and the projects of B's team, never A's", async () => {
    expect(await visibleTo(u.b)).toEqual([p.b, p.team, p.teamDoomed, p.teamCoveted].sort());
  });

  it("hides A's project from B even by id", async () => {
    const { rowCount } = await runAs(u.b, 'SELECT 1 FROM projects WHERE id = $1', [p.a]);
    expect(rowCount).toBe(0);
  });

  it("deletes none of A's projects for B", async () => {
    const { rowCount } = await runAs(u.b, 'DELETE FROM projects WHERE id = ANY($1)', [[p.a, p.aTeam]]);
    expect(rowCount).toBe(0);
    expect(await asStored(p.a)).toBeDefined();
    expect(await asStored(p.aTeam)).toBeDefined();
  });

  it("updates none of A's projects for B", async () => {
    const { rowCount } = await runAs(u.b, "UPDATE projects SET name = 'hijacked' WHERE id = $1", [p.a]);
    expect(rowCount).toBe(0);
    expect((await asStored(p.a)).name).not.toBe('hijacked');
  });

  it.each([
    ['in the name of A', () => ({ owner_id: u.a, team_id: null })],
    ['in a team B is not in', () => ({ owner_id: u.b, team_id: teamOfA })],
    ['in the team, as its viewer', () => ({ owner_id: u.viewer, team_id: team })],
  ])('refuses creating a project %s (42501)', async (_label, row) => {
    const { owner_id, team_id } = row();
    const actor = owner_id === u.viewer ? u.viewer : u.b;
    const insert = 'INSERT INTO projects (name, owner_id, team_id) VALUES ($1, $2, $3)';
    const error = await sqlError(runAs(actor, insert, [uniqueName('p'), owner_id, team_id]));
    expect(error.code).toBe('42501');
  });

  it('lets B create projects of their own, alone or in their team', async () => {
    await userTx(pool(), u.b, async (c) => {
      await c.query('INSERT INTO projects (name, owner_id) VALUES ($1, $2)', [uniqueName('p'), u.b]);
      await c.query('INSERT INTO projects (name, owner_id, team_id) VALUES ($1, $2, $3)', [uniqueName('p'), u.b, team]);
    });
  });

  it('lets a team member update the team project, but not a team viewer', async () => {
    const setDescription = 'UPDATE projects SET description = $1 WHERE id = $2';
    const byMember = await runAs(u.b, setDescription, ['by B', p.team]);
    expect(byMember.rowCount).toBe(1);
    const byViewer = await runAs(u.viewer, setDescription, ['by viewer', p.team]);
    expect(byViewer.rowCount).toBe(0);
    expect((await asStored(p.team)).description).toBe('by B');
  });

  it('lets only the owner delete a team project, not a team member', async () => {
    const byMember = await runAs(u.b, 'DELETE FROM projects WHERE id = $1', [p.teamDoomed]);
    expect(byMember.rowCount).toBe(0);
    expect(await asStored(p.teamDoomed)).toBeDefined();
    const byOwner = await runAs(u.c, 'DELETE FROM projects WHERE id = $1', [p.teamDoomed]);
    expect(byOwner.rowCount).toBe(1);
    expect(await asStored(p.teamDoomed)).toBeUndefined();
  });

  it('does not let a team member make the team project their own (and so delete it)', async () => {
    // The update policy alone would let it through (the new row is still B's to see); projects_keep_owner refuses.
    const takeOver = runAs(u.b, 'UPDATE projects SET owner_id = $1 WHERE id = $2', [u.b, p.teamCoveted]);
    expect(await sqlError(takeOver)).toMatchObject({ code: '42501', message: ONLY_THE_OWNER });
    const deleted = await runAs(u.b, 'DELETE FROM projects WHERE id = $1', [p.teamCoveted]);
    expect(deleted.rowCount).toBe(0);
    expect(await asStored(p.teamCoveted)).toMatchObject({ owner_id: u.c, team_id: team });
  });

  it('shows nothing when app.user_id is unset, empty, or was set by an earlier transaction', async () => {
    expect((await storedProjects()).length).toBeGreaterThan(0);
    const client = await pool().connect();
    try {
      expect((await client.query('SELECT 1 FROM projects')).rowCount).toBe(0);
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.user_id', $1, true)", [u.b]);
      expect((await client.query('SELECT 1 FROM projects')).rowCount).toBeGreaterThan(0);
      await client.query('COMMIT');
      expect((await client.query("SELECT current_setting('app.user_id', true) AS v")).rows).toEqual([{ v: '' }]);
      expect((await client.query('SELECT 1 FROM projects')).rowCount).toBe(0);
    } finally {
      client.release();
    }
    const empty = await inTransaction(pool(), { 'app.user_id': '' }, (c) => c.query('SELECT 1 FROM projects'));
    expect(empty.rowCount).toBe(0);
  });

  it("bypasses only with app.rls_bypass = 'on'", async () => {
    for (const value of ['off', 'true', '1', 'ON ']) {
      const settings = { 'app.rls_bypass': value };
      const { rowCount } = await inTransaction(pool(), settings, (c) => c.query('SELECT 1 FROM projects'));
      expect(rowCount, value).toBe(0);
    }
  });

  it('shows everything to asSystem, and to asUser what that user may see (lib/db/context)', async () => {
    const stored = await storedProjects();
    const all = await asSystem(t().db.prisma, (tx) => tx.$queryRaw<{ id: string }[]>`SELECT id FROM projects`);
    expect(all.length).toBeGreaterThan(5);
    expect(all.map((r) => r.id).sort()).toEqual(stored.map((r) => r.id).sort());
    const forA = await asUser(t().db.prisma, u.a, (tx) => tx.$queryRaw<{ id: string }[]>`SELECT id FROM projects`);
    expect(forA.map((r) => r.id).sort()).toEqual([p.a, p.aTeam].sort());
  });
});

describe('only the owner moves a project to another owner or team (projects_keep_owner)', () => {
  // O owns team T and its project P; M is a member of T and owns team T2; X is in no team.
  const u: Record<'o' | 'm' | 'x', string> = { o: '', m: '', x: '' };
  let teamT: string;
  let teamT2: string;
  const ownerAndTeam = async (id: string) => {
    const { owner_id, team_id } = await asStored(id);
    return { owner_id, team_id };
  };
  const teamProject = (ownerId = u.o) => insertProject(pool(), ownerId, { team_id: teamT }).then((r) => r.id);

  beforeAll(async () => {
    for (const key of Object.keys(u) as (keyof typeof u)[]) u[key] = (await insertUser(pool())).id;
    teamT = (await insertTeam(pool())).id;
    await addMember(pool(), teamT, u.o, 'owner');
    await addMember(pool(), teamT, u.m, 'member');
    teamT2 = (await insertTeam(pool())).id;
    await addMember(pool(), teamT2, u.m, 'owner');
  });

  it('is a BEFORE UPDATE OF owner_id, team_id trigger on projects', async () => {
    const { rows } = await pool().query(
      `SELECT tgenabled, pg_get_triggerdef(oid) AS def FROM pg_trigger
        WHERE tgrelid = 'public.projects'::regclass AND tgname = 'projects_keep_owner'`,
    );
    expect(rows).toEqual([{ tgenabled: 'O', def: expect.stringMatching(/BEFORE UPDATE OF owner_id, team_id ON/) }]);
  });

  it('lets the owner hand the project to another user, who then owns it', async () => {
    const project = await teamProject();
    const handOver = await runAs(u.o, 'UPDATE projects SET owner_id = $1 WHERE id = $2', [u.m, project]);
    expect(handOver.rowCount).toBe(1);
    expect(await ownerAndTeam(project)).toEqual({ owner_id: u.m, team_id: teamT });
    // O is still a writing member of the team, but no longer the owner: taking it back is refused.
    const takeBack = runAs(u.o, 'UPDATE projects SET owner_id = $1 WHERE id = $2', [u.o, project]);
    expect(await sqlError(takeBack)).toMatchObject({ code: '42501', message: ONLY_THE_OWNER });
    const byNewOwner = await runAs(u.m, 'DELETE FROM projects WHERE id = $1', [project]);
    expect(byNewOwner.rowCount).toBe(1);
  });

  it('lets the owner move the project to another team of theirs, or out of the team', async () => {
    const project = await teamProject(u.m);
    await runAs(u.m, 'UPDATE projects SET team_id = $1 WHERE id = $2', [teamT2, project]);
    expect(await ownerAndTeam(project)).toEqual({ owner_id: u.m, team_id: teamT2 });
    await runAs(u.m, 'UPDATE projects SET team_id = NULL WHERE id = $1', [project]);
    expect(await ownerAndTeam(project)).toEqual({ owner_id: u.m, team_id: null });
  });

  it('does not let a team member move the project to another team of theirs', async () => {
    const project = await teamProject();
    const move = runAs(u.m, 'UPDATE projects SET team_id = $1 WHERE id = $2', [teamT2, project]);
    expect(await sqlError(move)).toMatchObject({ code: '42501', message: ONLY_THE_OWNER });
    expect(await ownerAndTeam(project)).toEqual({ owner_id: u.o, team_id: teamT });
  });

  it('does not let a team member take the project out of the team, or give it to someone else', async () => {
    const project = await teamProject();
    const detach = runAs(u.m, 'UPDATE projects SET team_id = NULL WHERE id = $1', [project]);
    expect((await sqlError(detach)).code).toBe('42501');
    const giveAway = runAs(u.m, 'UPDATE projects SET owner_id = $1 WHERE id = $2', [u.x, project]);
    expect(await sqlError(giveAway)).toMatchObject({ code: '42501', message: ONLY_THE_OWNER });
    expect(await ownerAndTeam(project)).toEqual({ owner_id: u.o, team_id: teamT });
  });

  it('does not let the owner move the project into a team they are not a writing member of', async () => {
    const project = await teamProject();
    const move = runAs(u.o, 'UPDATE projects SET team_id = $1 WHERE id = $2', [teamT2, project]);
    expect(await sqlError(move)).toMatchObject({
      code: '42501',
      message: expect.stringMatching(/team you are a member of/),
    });
    expect(await ownerAndTeam(project)).toEqual({ owner_id: u.o, team_id: teamT });
  });

  it('still lets a team member change other columns of the project', async () => {
    const project = await teamProject();
    const rename = await runAs(u.m, 'UPDATE projects SET name = $1, owner_id = owner_id WHERE id = $2', [
      uniqueName('renamed'),
      project,
    ]);
    expect(rename.rowCount).toBe(1);
  });

  it('lets asSystem change owner and team', async () => {
    const project = await teamProject();
    await asSystem(t().db.prisma, (tx) =>
      tx.project.update({ where: { id: project }, data: { ownerId: u.x, teamId: teamT2 } }),
    );
    expect(await ownerAndTeam(project)).toEqual({ owner_id: u.x, team_id: teamT2 });
  });

  describe("deleting a team clears its projects' team_id, whoever owns them", () => {
    // Team D: its owner is `owner`, and `member` owns one of its projects; deleting D as `owner` sets team_id NULL
    // on a project `owner` does not own, through the foreign key.
    async function doomedTeam() {
      const [owner, member] = [(await insertUser(pool())).id, (await insertUser(pool())).id];
      const teamId = (await insertTeam(pool())).id;
      await addMember(pool(), teamId, owner, 'owner');
      await addMember(pool(), teamId, member, 'member');
      const projects = [await teamProjectOf(member, teamId), await teamProjectOf(owner, teamId)];
      return { owner, member, teamId, projects };
    }
    const teamProjectOf = (ownerId: string, teamId: string) =>
      insertProject(pool(), ownerId, { team_id: teamId }).then((r) => r.id);
    async function expectDetached(team: Awaited<ReturnType<typeof doomedTeam>>) {
      expect(await ownerAndTeam(team.projects[0]!)).toEqual({ owner_id: team.member, team_id: null });
      expect(await ownerAndTeam(team.projects[1]!)).toEqual({ owner_id: team.owner, team_id: null });
      const sql = 'SELECT 1 FROM teams WHERE id = $1';
      const teams = await withSuperuser(t().adminUrl, (admin) => admin.query(sql, [team.teamId]));
      expect(teams.rowCount).toBe(0);
    }

    it('as system (asSystem)', async () => {
      const team = await doomedTeam();
      await asSystem(t().db.prisma, (tx) => tx.team.delete({ where: { id: team.teamId } }));
      await expectDetached(team);
    });

    it('as the team owner, in a transaction acting for them (userTx)', async () => {
      const team = await doomedTeam();
      const deleted = await runAs(team.owner, 'DELETE FROM teams WHERE id = $1', [team.teamId]);
      expect(deleted.rowCount).toBe(1);
      await expectDetached(team);
    });

    it('as the team owner, through asUser (lib/db/context)', async () => {
      const team = await doomedTeam();
      await asUser(t().db.prisma, team.owner, (tx) => tx.team.delete({ where: { id: team.teamId } }));
      await expectDetached(team);
    });

    it('with no user and no bypass set', async () => {
      const team = await doomedTeam();
      await pool().query('DELETE FROM teams WHERE id = $1', [team.teamId]);
      await expectDetached(team);
    });
  });
});

describe('application_stats and soft delete', () => {
  // Below row-level security (the view and the functions as such); lib/db/rls-tenant-tables.int.test.ts runs them
  // as a user and as the system.
  const pool = () => t().systemPool;
  let projects: Record<'main' | 'other' | 'emptied', string>;
  let apps: Record<string, string>;

  const stats = async () => {
    await pool().query('REFRESH MATERIALIZED VIEW CONCURRENTLY application_stats');
    const { rows } = await pool().query(
      `SELECT project_id, total_applications::int AS total, running::int, stopped::int, failed::int,
              deploying::int, scaling::int FROM application_stats WHERE project_id = ANY($1)`,
      [Object.values(projects)],
    );
    return Object.fromEntries(rows.map(({ project_id, ...counts }) => [project_id, counts]));
  };
  const appRow = async (id: string) =>
    (await pool().query('SELECT status, deleted_at FROM applications WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    const owner = await insertUser(pool());
    projects = {
      main: (await insertProject(pool(), owner.id)).id,
      other: (await insertProject(pool(), owner.id)).id,
      emptied: (await insertProject(pool(), owner.id)).id,
    };
    const statuses = ['running', 'running', 'stopped', 'failed', 'deploying', 'scaling'];
    apps = {};
    for (const [i, status] of statuses.entries()) {
      apps[`${status}${i}`] = (await insertApplication(pool(), projects.main, { status })).id;
    }
    apps.other = (await insertApplication(pool(), projects.other, { status: 'running' })).id;
    apps.lonely = (await insertApplication(pool(), projects.emptied, { status: 'failed' })).id;
  });

  it('counts applications per project and status', async () => {
    expect(await stats()).toEqual({
      [projects.main]: { total: 6, running: 2, stopped: 1, failed: 1, deploying: 1, scaling: 1 },
      [projects.other]: { total: 1, running: 1, stopped: 0, failed: 0, deploying: 0, scaling: 0 },
      [projects.emptied]: { total: 1, running: 0, stopped: 0, failed: 1, deploying: 0, scaling: 0 },
    });
  });

  it('soft_delete_application archives the application and the stats leave it out', async () => {
    await pool().query('SELECT soft_delete_application($1)', [apps.running0]);
    await pool().query('SELECT soft_delete_application($1)', [apps.lonely]);
    const row = await appRow(apps.running0!);
    expect(row.status).toBe('archived');
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(await stats()).toEqual({
      [projects.main]: { total: 5, running: 1, stopped: 1, failed: 1, deploying: 1, scaling: 1 },
      [projects.other]: { total: 1, running: 1, stopped: 0, failed: 0, deploying: 0, scaling: 0 },
    });
  });

  it('keeps the first deleted_at when an archived application is soft-deleted again', async () => {
    const before = (await appRow(apps.running0!)).deleted_at;
    await pool().query('SELECT soft_delete_application($1)', [apps.running0]);
    expect((await appRow(apps.running0!)).deleted_at).toEqual(before);
  });

  it("restore_application brings it back as 'stopped'", async () => {
    await pool().query('SELECT restore_application($1)', [apps.running0]);
    expect(await appRow(apps.running0!)).toEqual({ status: 'stopped', deleted_at: null });
    const counts = await stats();
    expect(counts[projects.main]).toEqual({ total: 6, running: 1, stopped: 2, failed: 1, deploying: 1, scaling: 1 });
  });
});
