// Constraints on applications and what hangs off them (git sources, env vars, deployments and their logs) and on
// databases: each case writes one row and expects it accepted, or refused with the SQLSTATE and constraint.
import { beforeAll, describe, expect, it } from 'vitest';

import {
  check,
  expectInsert,
  foreignKey,
  itInserts,
  notNull,
  OK,
  unique,
  valuesOf,
  type Case,
  type Outcome,
} from '@/lib/testing/constraint-cases';
import {
  CIPHERTEXT,
  insertApplication,
  insertAppTree,
  insertDatabase,
  insertDeployment,
  insertProject,
  insertRow,
  NO_SUCH_ID,
  setUpTestDatabase,
  sqlError,
  uniqueName,
  validApplication,
  validDatabase,
  type Row,
} from '@/lib/testing/fixtures';

const t = setUpTestDatabase();
let projectId: string;
let userId: string;
const pool = () => t().systemPool; // beneath row-level security: what the database itself does

beforeAll(async () => {
  ({ userId, projectId } = await insertAppTree(pool()));
});

describe('applications', () => {
  const cases: Case[] = [
    ['type docker', { type: 'docker', source_type: 'docker' }, OK],
    ['type git', { type: 'git' }, OK],
    ['type compose', { type: 'compose', source_type: 'docker_compose' }, OK],
    ['type lambda', { type: 'lambda' }, check('check_app_type')],
    ...valuesOf('status', ['stopped', 'deploying', 'running', 'failed', 'scaling'], OK),
    // 'archived' is what the spec's soft delete writes (docs/decisions.md, D1).
    ['status archived', { status: 'archived' }, OK],
    ['status archived with deleted_at', { status: 'archived', deleted_at: new Date() }, OK],
    ['status paused', { status: 'paused' }, check('check_app_status')],
    ['status Archived (case matters)', { status: 'Archived' }, check('check_app_status')],
    ['empty status', { status: '' }, check('check_app_status')],
    ['0 replicas', { replicas: 0 }, OK],
    ['-1 replicas', { replicas: -1 }, check('check_replicas_non_negative')],
    ...valuesOf('source_type', ['github', 'gitlab', 'bitbucket', 'gitea', 'git', 'docker', 'docker_compose'], OK),
    ['source_type ftp', { source_type: 'ftp' }, check('check_app_source_type')],
    ['name with surrounding spaces', { name: ' api ' }, check('check_app_name')],
    ['name with a newline', { name: 'api\nx' }, check('check_app_name')],
    ['empty name', { name: '' }, check('check_app_name')],
    ['docker_config that is not an object', { docker_config: '[]' }, check('check_app_json_objects')],
    ['a project that does not exist', { project_id: NO_SUCH_ID }, foreignKey('applications_project_id_fkey')],
    ['no type', { type: null }, notNull],
  ];

  itInserts(pool, 'applications', (overrides) => validApplication(projectId, overrides), cases);

  it('refuses a second application of the same name in a project', async () => {
    const app = await insertApplication(pool(), projectId);
    const again = validApplication(projectId, { name: app.name });
    await expectInsert(pool(), 'applications', again, unique('applications_project_id_name_key'));
  });

  it('accepts the same name in another project', async () => {
    const app = await insertApplication(pool(), projectId);
    const other = await insertProject(pool(), userId);
    await expectInsert(pool(), 'applications', validApplication(other.id, { name: app.name }), OK);
  });

  it("accepts status 'archived' on update, and still refuses an unknown status", async () => {
    const app = await insertApplication(pool(), projectId);
    const archived = await pool().query("UPDATE applications SET status = 'archived' WHERE id = $1", [app.id]);
    expect(archived.rowCount).toBe(1);
    const error = await sqlError(pool().query("UPDATE applications SET status = 'deleted' WHERE id = $1", [app.id]));
    expect(error).toMatchObject({ code: '23514', constraint: 'check_app_status' });
    expect(await statusOf(app.id)).toEqual({ status: 'archived', deleted_at: null });
  });

  it("soft_delete_application sets deleted_at and status 'archived' together", async () => {
    const app = await insertApplication(pool(), projectId, { status: 'running' });
    await pool().query('SELECT soft_delete_application($1)', [app.id]);
    const row = await statusOf(app.id);
    expect(row.status).toBe('archived');
    expect(row.deleted_at).toBeInstanceOf(Date);
  });

  it("restore_application clears deleted_at and sets status 'stopped'", async () => {
    const app = await insertApplication(pool(), projectId, { status: 'running' });
    await pool().query('SELECT soft_delete_application($1)', [app.id]);
    await pool().query('SELECT restore_application($1)', [app.id]);
    expect(await statusOf(app.id)).toEqual({ status: 'stopped', deleted_at: null });
  });

  it('leaves an application that is not deleted alone on restore_application', async () => {
    const app = await insertApplication(pool(), projectId, { status: 'running' });
    await pool().query('SELECT restore_application($1)', [app.id]);
    expect(await statusOf(app.id)).toEqual({ status: 'running', deleted_at: null });
  });
});

async function statusOf(id: string): Promise<{ status: string; deleted_at: Date | null }> {
  const { rows } = await pool().query('SELECT status, deleted_at FROM applications WHERE id = $1', [id]);
  expect(rows).toHaveLength(1);
  return rows[0];
}

describe('git_sources', () => {
  // One source per application: every case gets an application of its own.
  async function validSource(overrides: Row): Promise<Row> {
    const app = await insertApplication(pool(), projectId);
    return { application_id: app.id, provider: 'github', repository: 'acme/api', branch: 'main', ...overrides };
  }

  const cases: Case[] = [
    ...valuesOf('provider', ['github', 'gitlab', 'bitbucket', 'gitea'], OK),
    ['provider svn', { provider: 'svn' }, check('check_git_provider')],
    ...valuesOf('branch', ['feature/x-1', 'release-1.2'], OK),
    ...valuesOf('branch', ['main;id', '--upload-pack=x', '-b', '../x', 'a..b', '$(id)'], check('check_git_branch')),
    ['branch with a space', { branch: 'a b' }, check('check_git_branch')],
    ['branch ending in /', { branch: 'feature/' }, check('check_git_branch')],
    ['branch ending in .lock', { branch: 'main.lock' }, check('check_git_branch')],
    ['repository owner/name', { repository: 'acme/api' }, OK],
    ['repository https URL', { repository: 'https://gitea.example.com/acme/api.git' }, OK],
    ...valuesOf('repository', ['ext::sh -c id', 'EXT::sh', '-x', '--upload-pack=touch'], check('check_git_repository')),
    ['empty repository', { repository: '' }, check('check_git_repository')],
    ['commit_sha of 40 hex digits', { commit_sha: 'a'.repeat(39) + 'f' }, OK],
    ['short commit_sha', { commit_sha: 'abc1234' }, OK],
    ['commit_sha that is not hex', { commit_sha: 'xyz1234' }, check('check_git_commit_sha')],
    ['commit_sha in capitals', { commit_sha: 'ABC1234' }, check('check_git_commit_sha')],
    ['commit_sha of a shell command', { commit_sha: ';rm -rf' }, check('check_git_commit_sha')],
    ['webhook secret as ciphertext', { webhook_config: { secret: CIPHERTEXT, events: ['push'] } }, OK],
    ['webhook config without secret', { webhook_config: { events: ['push'] } }, OK],
    ['empty webhook config', { webhook_config: {} }, OK],
    // Encrypting the secret is the data layer's job, not a database check (docs/decisions.md, D8).
    ['webhook config that is an array', { webhook_config: '[]' }, check('check_webhook_config_object')],
    ['webhook config that is a string', { webhook_config: '"x"' }, check('check_webhook_config_object')],
    ['webhook config that is JSON null', { webhook_config: 'null' }, check('check_webhook_config_object')],
  ];

  itInserts(pool, 'git_sources', validSource, cases);

  it('refuses a second source for one application', async () => {
    const first = await insertRow(pool(), 'git_sources', await validSource({}));
    const second = { application_id: first.application_id, provider: 'gitlab', repository: 'acme/other' };
    await expectInsert(pool(), 'git_sources', second, unique('git_sources_application_id_key'));
  });

  it('refuses an update that makes webhook_config something other than an object', async () => {
    const source = await insertRow(pool(), 'git_sources', await validSource({}));
    const error = await sqlError(
      pool().query(`UPDATE git_sources SET webhook_config = '["secret"]' WHERE id = $1`, [source.id]),
    );
    expect(error).toMatchObject({ code: '23514', constraint: 'check_webhook_config_object' });
  });
});

describe('databases', () => {
  const valid = (overrides: Row): Row => validDatabase(projectId, overrides);
  const cases: Case[] = [
    ...valuesOf('type', ['postgresql', 'mysql', 'mongodb', 'redis'], OK),
    ['type oracle', { type: 'oracle' }, check('check_db_type')],
    ...valuesOf('status', ['initializing', 'running', 'stopped', 'failed'], OK),
    ['status deleted', { status: 'deleted' }, check('check_db_status')],
    ['connection_string as ciphertext', { connection_string: CIPHERTEXT }, OK],
    ['no connection_string', { connection_string: null }, OK],
    ['empty version', { version: '' }, check('check_db_version')],
    ['name with surrounding spaces', { name: ' db ' }, check('check_db_name')],
    ['config that is not an object', { config: '1' }, check('check_db_config_object')],
    ['no type', { type: null }, notNull],
  ];

  itInserts(pool, 'databases', valid, cases);

  it('refuses a second database of the same name in a project', async () => {
    const db = await insertDatabase(pool(), projectId);
    await expectInsert(pool(), 'databases', valid({ name: db.name }), unique('databases_project_id_name_key'));
  });

  it('accepts the same name in another project', async () => {
    const db = await insertDatabase(pool(), projectId);
    const other = await insertProject(pool(), userId);
    await expectInsert(pool(), 'databases', valid({ project_id: other.id, name: db.name }), OK);
  });
});

describe('deployments and deployment_logs', () => {
  let appId: string;
  beforeAll(async () => {
    appId = (await insertApplication(pool(), projectId)).id;
  });
  const started = new Date('2026-01-10T10:00:00Z');
  const cases: Case[] = [
    ...valuesOf('status', ['pending', 'building', 'deploying', 'success', 'failed', 'rolled_back'], OK),
    // A deployment replaced before it started (docs/decisions.md, D69).
    ['status superseded', { status: 'superseded' }, OK],
    ['status queued', { status: 'queued' }, check('check_deployment_status')],
    ['completed after it started', { started_at: started, completed_at: new Date(started.getTime() + 60_000) }, OK],
    ['completed when it started', { started_at: started, completed_at: started }, OK],
    ['commit_sha that is not hex', { commit_sha: 'HEAD~1' }, check('check_deployment_commit_sha')],
    ['metadata that is not an object', { metadata: '"x"' }, check('check_deployment_metadata_object')],
    [
      'an application that does not exist',
      { application_id: NO_SUCH_ID },
      foreignKey('deployments_application_id_fkey'),
    ],
    ['a user that does not exist', { triggered_by: NO_SUCH_ID }, foreignKey('deployments_triggered_by_fkey')],
  ];

  itInserts(pool, 'deployments', (overrides) => ({ application_id: appId, ...overrides }), cases, 'deployment with %s');

  it.each<[string, Outcome]>([
    ['debug', OK],
    ['info', OK],
    ['warn', OK],
    ['error', OK],
    ['fatal', check('check_log_level')],
    ['INFO', check('check_log_level')],
  ])('log level %s', async (level, outcome) => {
    const deployment = await insertDeployment(pool(), appId);
    await expectInsert(pool(), 'deployment_logs', { deployment_id: deployment.id, level, message: 'x' }, outcome);
  });

  it('refuses a log line of a deployment that does not exist', async () => {
    const row = { deployment_id: NO_SUCH_ID, message: 'orphan' };
    await expectInsert(pool(), 'deployment_logs', row, foreignKey('deployment_logs_deployment_id_fkey'));
  });
});

describe('env_vars', () => {
  let appId: string;
  beforeAll(async () => {
    appId = (await insertApplication(pool(), projectId)).id;
  });
  const freshKey = () => `K${uniqueName('').replace(/-/g, '_')}`;
  const valid = (overrides: Row): Row => ({ application_id: appId, key: freshKey(), value: 'v', ...overrides });

  const cases: Case[] = [
    ...valuesOf('key', ['PORT', '_X', 'A_1'], OK),
    ...valuesOf('key', ['port', '1A', 'A-B', 'A B', 'A=B'], check('check_env_key_format')),
    ['empty key', { key: '' }, check('check_env_key_format')],
    ['secret stored as ciphertext', { is_secret: true, value: CIPHERTEXT }, OK],
    ['plain value that is not a secret', { is_secret: false, value: 'hunter2' }, OK],
    ['no value', { value: null }, notNull],
  ];

  itInserts(pool, 'env_vars', valid, cases);

  it('refuses the same key twice in one application', async () => {
    await insertRow(pool(), 'env_vars', valid({ key: 'DUPLICATE' }));
    await expectInsert(pool(), 'env_vars', valid({ key: 'DUPLICATE' }), unique('env_vars_application_id_key_key'));
  });

  it('accepts the same key in another application', async () => {
    await insertRow(pool(), 'env_vars', valid({ key: 'SHARED' }));
    const other = await insertApplication(pool(), projectId);
    await expectInsert(pool(), 'env_vars', valid({ application_id: other.id, key: 'SHARED' }), OK);
  });
});
