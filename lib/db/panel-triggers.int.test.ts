// The two triggers of migration 20261127020000_panel, on real rows: volumes learn their project from their owner
// (and cannot be carried into another project), and applications.env_vars mirrors the non-secret env_vars rows.
import { describe, expect, it } from 'vitest';

import {
  CIPHERTEXT,
  insertApplication,
  insertAppTree,
  insertDatabase,
  insertVolume,
  setUpTestDatabase,
  sqlError,
  systemTx,
} from '@/lib/testing/fixtures';

const t = setUpTestDatabase();
const pool = () => t().systemPool; // beneath row-level security: what the database itself does

const projectOf = async (volumeId: string) =>
  (await pool().query<{ project_id: string | null }>('SELECT project_id FROM volumes WHERE id = $1', [volumeId]))
    .rows[0]!.project_id;
const mirror = async (appId: string) =>
  (await pool().query<{ env_vars: Record<string, string> }>('SELECT env_vars FROM applications WHERE id = $1', [appId]))
    .rows[0]!.env_vars;

describe('volumes.project_id follows the owner', () => {
  it('is filled from the application on insert, kept on detach, and from a database on re-attach', async () => {
    const { userId, projectId, appId } = await insertAppTree(pool());
    const volume = await insertVolume(pool(), { application_id: appId });
    expect(await projectOf(volume.id)).toBe(projectId);

    await pool().query('UPDATE volumes SET application_id = NULL WHERE id = $1', [volume.id]);
    expect(await projectOf(volume.id)).toBe(projectId);

    const database = await insertDatabase(pool(), projectId);
    await pool().query('UPDATE volumes SET database_id = $2 WHERE id = $1', [volume.id, database.id]);
    expect(await projectOf(volume.id)).toBe(projectId);
    expect(userId).toBeTruthy();
  });

  it('is null for a row written in the spec shape without an owner, and a later attach fills it', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    const volume = await insertVolume(pool());
    expect(await projectOf(volume.id)).toBeNull();
    await pool().query('UPDATE volumes SET application_id = $2 WHERE id = $1', [volume.id, appId]);
    expect(await projectOf(volume.id)).toBe(projectId);
  });

  it('ignores a project_id that disagrees with the owner on insert (the owner wins)', async () => {
    const a = await insertAppTree(pool());
    const b = await insertAppTree(pool());
    const volume = await insertVolume(pool(), { application_id: a.appId, project_id: b.projectId });
    expect(await projectOf(volume.id)).toBe(a.projectId);
  });

  it('refuses attaching a detached volume to an application of another project', async () => {
    const a = await insertAppTree(pool());
    const b = await insertAppTree(pool());
    const volume = await insertVolume(pool(), { application_id: a.appId });
    await pool().query('UPDATE volumes SET application_id = NULL WHERE id = $1', [volume.id]);
    const error = await sqlError(
      pool().query('UPDATE volumes SET application_id = $2 WHERE id = $1', [volume.id, b.appId]),
    );
    expect(error.code).toBe('23514');
    expect(error.message).toContain('another project');
    expect(await projectOf(volume.id)).toBe(a.projectId);
  });

  it('deleting a project with an attached volume is still refused by the spec rule on applications', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    await insertVolume(pool(), { application_id: appId });
    const error = await sqlError(systemTx(pool(), (c) => c.query('DELETE FROM projects WHERE id = $1', [projectId])));
    expect(error).toMatchObject({ code: '23503', constraint: 'volumes_application_id_fkey' });
  });

  it('deleting a project clears project_id of its detached volumes (the panel refuses this before SQL)', async () => {
    const { projectId, appId } = await insertAppTree(pool());
    const volume = await insertVolume(pool(), { application_id: appId });
    await pool().query('UPDATE volumes SET application_id = NULL WHERE id = $1', [volume.id]);
    await systemTx(pool(), (c) => c.query('DELETE FROM projects WHERE id = $1', [projectId]));
    expect(await projectOf(volume.id)).toBeNull();
  });
});

describe('applications.env_vars mirrors the plain env_vars rows', () => {
  it('adds, updates and removes plain keys; secrets never appear', async () => {
    const { appId } = await insertAppTree(pool());
    await pool().query(
      `INSERT INTO env_vars (application_id, key, value, is_secret) VALUES ($1, 'NODE_ENV', 'production', false),
         ($1, 'PORT', '8080', false), ($1, 'API_KEY', $2, true)`,
      [appId, CIPHERTEXT],
    );
    expect(await mirror(appId)).toEqual({ NODE_ENV: 'production', PORT: '8080' });

    await pool().query(`UPDATE env_vars SET value = '9090' WHERE application_id = $1 AND key = 'PORT'`, [appId]);
    expect(await mirror(appId)).toEqual({ NODE_ENV: 'production', PORT: '9090' });

    // Turning a plain variable into a secret takes it out of the mirror.
    await pool().query(`UPDATE env_vars SET is_secret = true, value = $2 WHERE application_id = $1 AND key = 'PORT'`, [
      appId,
      CIPHERTEXT,
    ]);
    expect(await mirror(appId)).toEqual({ NODE_ENV: 'production' });

    await pool().query(`DELETE FROM env_vars WHERE application_id = $1 AND key = 'NODE_ENV'`, [appId]);
    expect(await mirror(appId)).toEqual({});
  });

  it('recomputes each application touched by one statement, and only those', async () => {
    const { projectId, appId: first } = await insertAppTree(pool());
    const second = (await insertApplication(pool(), projectId)).id;
    const untouched = (await insertApplication(pool(), projectId, { env_vars: { KEPT: 'as written' } })).id;
    await pool().query(
      `INSERT INTO env_vars (application_id, key, value) VALUES ($1, 'A', '1'), ($2, 'B', '2'), ($2, 'C', '3')`,
      [first, second],
    );
    expect(await mirror(first)).toEqual({ A: '1' });
    expect(await mirror(second)).toEqual({ B: '2', C: '3' });
    expect(await mirror(untouched)).toEqual({ KEPT: 'as written' });

    await pool().query('DELETE FROM env_vars WHERE application_id = ANY($1::uuid[])', [[first, second]]);
    expect(await mirror(first)).toEqual({});
    expect(await mirror(second)).toEqual({});
  });

  it('a refused row (bad key) changes neither table', async () => {
    const { appId } = await insertAppTree(pool());
    await pool().query(`INSERT INTO env_vars (application_id, key, value) VALUES ($1, 'GOOD', 'x')`, [appId]);
    const error = await sqlError(
      pool().query(
        `INSERT INTO env_vars (application_id, key, value) VALUES ($1, 'ALSO_GOOD', 'y'), ($1, 'bad-key', 'z')`,
        [appId],
      ),
    );
    expect(error).toMatchObject({ code: '23514', constraint: 'check_env_key_format' });
    expect(await mirror(appId)).toEqual({ GOOD: 'x' });
  });

  it('deleting the application (cascade to env_vars) works with the statement triggers', async () => {
    const { projectId } = await insertAppTree(pool());
    const app = await insertApplication(pool(), projectId);
    await pool().query(`INSERT INTO env_vars (application_id, key, value) VALUES ($1, 'A', '1')`, [app.id]);
    await pool().query('DELETE FROM applications WHERE id = $1', [app.id]);
    expect((await pool().query('SELECT 1 FROM env_vars WHERE application_id = $1', [app.id])).rowCount).toBe(0);
  });
});
