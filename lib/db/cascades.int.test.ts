// Every ON DELETE rule of the data model, on real rows: what a delete takes with it (CASCADE), what it leaves
// behind with the reference cleared (SET NULL), and what it refuses to orphan (RESTRICT). Projects are read with
// row-level security bypassed, so "gone" means gone and not merely invisible. PostgreSQL reports a RESTRICT refusal
// as foreign_key_violation (23503), never restrict_violation (23001); the catalog test below tells RESTRICT from
// NO ACTION, which behave alike within one statement.
import { describe, expect, it } from 'vitest';

import {
  addMember,
  count,
  insertApplication,
  insertAppTree,
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
  systemTx,
  type Queryable,
} from '@/lib/testing/fixtures';

const t = setUpTestDatabase();
const pool = () => t().systemPool; // beneath row-level security: what the database itself does

const exists = (table: string, id: string, db: Queryable = pool()) =>
  count(db, `SELECT 1 FROM ${table} WHERE id = $1`, [id]).then((n) => n === 1);
const projectExists = (id: string) => systemTx(pool(), (client) => exists('projects', id, client));
const deleteProject = (id: string) =>
  systemTx(pool(), (client) => client.query('DELETE FROM projects WHERE id = $1', [id]));

describe('the ON DELETE rule of every foreign key', () => {
  it.each([
    ['projects_owner_id_fkey', 'CASCADE'],
    ['projects_team_id_fkey', 'SET NULL'],
    ['team_members_user_id_fkey', 'CASCADE'],
    ['team_members_team_id_fkey', 'CASCADE'],
    ['applications_project_id_fkey', 'CASCADE'],
    ['databases_project_id_fkey', 'CASCADE'],
    ['domains_project_id_fkey', 'CASCADE'],
    ['deployments_application_id_fkey', 'CASCADE'],
    ['deployments_triggered_by_fkey', 'SET NULL'],
    ['env_vars_application_id_fkey', 'CASCADE'],
    ['git_sources_application_id_fkey', 'CASCADE'],
    ['volumes_application_id_fkey', 'RESTRICT'],
    ['volumes_database_id_fkey', 'RESTRICT'],
    ['volumes_project_id_fkey', 'SET NULL'], // D24: the panel refuses first; the spec's RESTRICT on applications still binds
    ['backups_database_id_fkey', 'CASCADE'],
    ['deployment_logs_deployment_id_fkey', 'CASCADE'],
    ['certificates_domain_id_fkey', 'CASCADE'],
    ['audit_logs_user_id_fkey', 'SET NULL'],
  ])('%s is ON DELETE %s', async (name, rule) => {
    const { rows } = await pool().query<{ rule: string }>(
      `SELECT DISTINCT CASE confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT'
                                        WHEN 'a' THEN 'NO ACTION' ELSE 'SET DEFAULT' END AS rule
         FROM pg_constraint WHERE contype = 'f' AND conname = $1`,
      [name],
    );
    expect(rows).toEqual([{ rule }]);
  });
});

describe('deleting a user', () => {
  it('deletes the projects they own (CASCADE)', async () => {
    const { userId, projectId, appId } = await insertAppTree(pool());
    const result = await pool().query('DELETE FROM users WHERE id = $1', [userId]);
    expect(result.rowCount).toBe(1);
    expect(await projectExists(projectId)).toBe(false);
    expect(await exists('applications', appId)).toBe(false);
  });

  it('keeps the deployments they triggered, with triggered_by cleared (SET NULL)', async () => {
    const { appId } = await insertAppTree(pool());
    const deployer = await insertUser(pool());
    const deployment = await insertDeployment(pool(), appId, {
      triggered_by: deployer.id,
      metadata: { commit: 'abc' },
    });
    await pool().query('DELETE FROM users WHERE id = $1', [deployer.id]);
    const { rows } = await pool().query('SELECT triggered_by, metadata FROM deployments WHERE id = $1', [
      deployment.id,
    ]);
    expect(rows).toEqual([{ triggered_by: null, metadata: { commit: 'abc' } }]);
  });

  it('keeps their audit log rows, with user_id cleared (SET NULL)', async () => {
    const user = await insertUser(pool());
    const entry = await insertRow(pool(), 'audit_logs', {
      user_id: user.id,
      action: 'user.sign_in',
      resource_type: 'user',
      resource_id: user.id,
    });
    await pool().query('DELETE FROM users WHERE id = $1', [user.id]);
    const { rows } = await pool().query('SELECT user_id, action FROM audit_logs WHERE id = $1', [entry.id]);
    expect(rows).toEqual([{ user_id: null, action: 'user.sign_in' }]);
  });

  it('removes their team memberships (CASCADE) when they are not the last owner', async () => {
    const team = await insertTeam(pool());
    const [owner, member] = [await insertUser(pool()), await insertUser(pool())];
    await addMember(pool(), team.id, owner.id, 'owner');
    const membership = await addMember(pool(), team.id, member.id, 'member');
    await pool().query('DELETE FROM users WHERE id = $1', [member.id]);
    expect(await exists('team_members', membership.id)).toBe(false);
  });
});

describe('deleting a team', () => {
  it('deletes its memberships (CASCADE) and keeps its projects with team_id cleared (SET NULL)', async () => {
    const owner = await insertUser(pool());
    const team = await insertTeam(pool());
    const membership = await addMember(pool(), team.id, owner.id, 'owner');
    const project = await insertProject(pool(), owner.id, { team_id: team.id });
    await pool().query('DELETE FROM teams WHERE id = $1', [team.id]);
    expect(await exists('team_members', membership.id)).toBe(false);
    const { rows } = await systemTx(pool(), (c) =>
      c.query('SELECT team_id, owner_id FROM projects WHERE id = $1', [project.id]),
    );
    expect(rows).toEqual([{ team_id: null, owner_id: owner.id }]);
  });
});

describe('deleting a project', () => {
  it('deletes its applications, databases and domains (CASCADE)', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    const database = await insertDatabase(pool(), projectId);
    const domain = await insertDomain(pool(), { projectId, type: 'database', id: database.id });
    const result = await deleteProject(projectId);
    expect(result.rowCount).toBe(1);
    expect(await exists('applications', appId)).toBe(false);
    expect(await exists('databases', database.id)).toBe(false);
    expect(await exists('domains', domain.id)).toBe(false);
  });

  it('is refused while one of its applications still has a volume (RESTRICT below the CASCADE)', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    await insertVolume(pool(), { application_id: appId });
    const error = await sqlError(deleteProject(projectId));
    expect(error).toMatchObject({ code: '23503', constraint: 'volumes_application_id_fkey' });
    expect(await projectExists(projectId)).toBe(true);
  });
});

describe('deleting an application', () => {
  it('deletes its deployments (and their logs), env vars and git source (CASCADE)', async () => {
    const { appId } = await insertAppTree(pool());
    const deployment = await insertDeployment(pool(), appId);
    await insertRow(pool(), 'deployment_logs', { deployment_id: deployment.id, message: 'building' });
    const env = await insertRow(pool(), 'env_vars', { application_id: appId, key: 'PORT', value: '3000' });
    const source = await insertRow(pool(), 'git_sources', {
      application_id: appId,
      provider: 'github',
      repository: 'acme/api',
    });
    await pool().query('DELETE FROM applications WHERE id = $1', [appId]);
    expect(await exists('deployments', deployment.id)).toBe(false);
    expect(await count(pool(), 'SELECT 1 FROM deployment_logs WHERE deployment_id = $1', [deployment.id])).toBe(0);
    expect(await exists('env_vars', env.id as string)).toBe(false);
    expect(await exists('git_sources', source.id as string)).toBe(false);
  });

  it('is refused while a volume is attached (RESTRICT), and works once it is detached', async () => {
    const { appId } = await insertAppTree(pool());
    const volume = await insertVolume(pool(), { application_id: appId });
    const error = await sqlError(pool().query('DELETE FROM applications WHERE id = $1', [appId]));
    expect(error).toMatchObject({ code: '23503', constraint: 'volumes_application_id_fkey' });
    expect(await exists('applications', appId)).toBe(true);

    await pool().query('UPDATE volumes SET application_id = NULL WHERE id = $1', [volume.id]);
    const result = await pool().query('DELETE FROM applications WHERE id = $1', [appId]);
    expect(result.rowCount).toBe(1);
    expect(await exists('volumes', volume.id)).toBe(true);
  });

  it('deletes the domains that target it, and their certificates', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    const other = await insertApplication(pool(), projectId);
    const domain = await insertDomain(pool(), { projectId, type: 'application', id: appId });
    const kept = await insertDomain(pool(), { projectId, type: 'application', id: other.id });
    const certificate = await insertCertificate(pool(), domain.id);
    await pool().query('DELETE FROM applications WHERE id = $1', [appId]);
    expect(await exists('domains', domain.id)).toBe(false);
    expect(await exists('certificates', certificate.id as string)).toBe(false);
    expect(await exists('domains', kept.id)).toBe(true);
  });

  it('deletes only domains whose target_type is application', async () => {
    // The database does not check that a target exists (docs/decisions.md, D10), so a row can name the
    // application's id as a database; deleting the application must go by type and id, not by id alone.
    const { projectId, appId } = await insertAppTree(pool());
    const domain = await insertDomain(pool(), { projectId, type: 'application', id: appId });
    const sameIdOtherType = await insertDomain(pool(), { projectId, type: 'database', id: appId });
    await pool().query('DELETE FROM applications WHERE id = $1', [appId]);
    expect(await exists('domains', domain.id)).toBe(false);
    expect(await exists('domains', sameIdOtherType.id)).toBe(true);
  });
});

describe('deleting a database', () => {
  it('deletes its backups (CASCADE) and the domains that target it, and their certificates', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    const database = await insertDatabase(pool(), projectId);
    const backup = await insertRow(pool(), 'backups', { database_id: database.id, type: 'full', status: 'success' });
    const domain = await insertDomain(pool(), { projectId, type: 'database', id: database.id });
    const certificate = await insertCertificate(pool(), domain.id);
    const ofTheApp = await insertDomain(pool(), { projectId, type: 'application', id: appId });
    await pool().query('DELETE FROM databases WHERE id = $1', [database.id]);
    expect(await exists('backups', backup.id as string)).toBe(false);
    expect(await exists('domains', domain.id)).toBe(false);
    expect(await exists('certificates', certificate.id as string)).toBe(false);
    expect(await exists('domains', ofTheApp.id)).toBe(true);
  });

  it('is refused while a volume is attached (RESTRICT), and works once it is detached', async () => {
    const { projectId } = await insertAppTree(pool());
    const database = await insertDatabase(pool(), projectId);
    const volume = await insertVolume(pool(), { database_id: database.id });
    const error = await sqlError(pool().query('DELETE FROM databases WHERE id = $1', [database.id]));
    expect(error).toMatchObject({ code: '23503', constraint: 'volumes_database_id_fkey' });
    expect(await exists('databases', database.id)).toBe(true);

    await pool().query('UPDATE volumes SET database_id = NULL WHERE id = $1', [volume.id]);
    await pool().query('DELETE FROM databases WHERE id = $1', [database.id]);
    expect(await exists('databases', database.id)).toBe(false);
    expect(await exists('volumes', volume.id)).toBe(true);
  });
});

describe('deleting a deployment', () => {
  it('deletes its log lines in every partition (CASCADE) and no other', async () => {
    const { appId } = await insertAppTree(pool());
    const [doomed, kept] = [await insertDeployment(pool(), appId), await insertDeployment(pool(), appId)];
    for (let i = 0; i < 5; i++) {
      await insertRow(pool(), 'deployment_logs', { deployment_id: doomed.id, message: `line ${i}` });
      await insertRow(pool(), 'deployment_logs', { deployment_id: kept.id, message: `line ${i}` });
    }
    await pool().query('DELETE FROM deployments WHERE id = $1', [doomed.id]);
    expect(await count(pool(), 'SELECT 1 FROM deployment_logs WHERE deployment_id = $1', [doomed.id])).toBe(0);
    expect(await count(pool(), 'SELECT 1 FROM deployment_logs WHERE deployment_id = $1', [kept.id])).toBe(5);
  });
});

describe('deleting a domain', () => {
  it('deletes its certificates (CASCADE)', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    const domain = await insertDomain(pool(), { projectId, type: 'application', id: appId });
    const certificate = await insertCertificate(pool(), domain.id);
    await pool().query('DELETE FROM domains WHERE id = $1', [domain.id]);
    expect(await exists('certificates', certificate.id as string)).toBe(false);
    expect(await exists('applications', appId)).toBe(true);
  });
});
