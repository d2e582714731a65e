// Projects from the browser: create from the dashboard, edit with errors beside the field, delete by typing the name,
// a delete refused by a volume, and a viewer who sees the pages read-only (and whose forged calls are refused).
// Each test makes its own users with unique names: the e2e database is shared by specs running in parallel.
import { expect, test, type Browser, type Page } from '@playwright/test';

import {
  captureServerAction,
  dbQuery,
  forgeBody,
  replayAction,
  signedInAs as signedInWith,
  uniqueStamp as stamp,
} from './support';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const signedInAs = (browser: Browser, role: 'developer' | 'viewer') => signedInWith(browser, role, 'proj');

const projectRow = (page: Page, name: string) =>
  page.locator('tbody tr').filter({ has: page.getByRole('rowheader').getByText(name, { exact: true }) });

async function projectByOwner(ownerId: string) {
  return dbQuery<{ id: string; name: string; metadata: { tags?: string[] } }>(
    'SELECT id, name, metadata FROM projects WHERE owner_id = $1',
    [ownerId],
  );
}

test('create a project from the dashboard with tags, rename it, and delete it by typing its name', async ({
  browser,
}) => {
  const dev = await signedInAs(browser, 'developer');
  const { page } = dev;
  try {
    await expect(page.getByRole('heading', { name: 'No projects yet' })).toBeVisible();
    await expect(page.getByText('Create your first project:')).toBeVisible();
    await page.getByRole('link', { name: 'New project' }).click();
    await expect(page).toHaveURL(/\/projects\/new$/);

    const name = `Shop ${stamp()}`;
    await page.getByLabel(/^Name/).fill(name);
    await page.getByLabel('Tags (optional)').fill('Web, e2e');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${UUID}$`));
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    const [stored] = await projectByOwner(dev.id);
    expect(stored).toMatchObject({ name, metadata: { tags: ['web', 'e2e'] } });

    await page.goto('/');
    await expect(projectRow(page, name).getByRole('link', { name: 'e2e', exact: true })).toBeVisible();
    await projectRow(page, name).getByRole('link', { name }).click();

    // A bad name: the error sits beside the field and what was typed stays there.
    const edit = page.getByRole('form', { name: 'Edit project' });
    await edit.getByLabel(/^Name/).fill('ab');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(edit.locator('#name-error')).toHaveText('A project name has 3 to 100 characters.');
    await expect(edit.getByLabel(/^Name/)).toHaveValue('ab');
    await expect(edit.getByLabel(/^Name/)).toHaveAttribute('aria-invalid', 'true');
    expect((await projectByOwner(dev.id))[0]!.name).toBe(name);

    const renamed = `Renamed ${stamp()}`;
    await edit.getByLabel(/^Name/).fill(renamed);
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('toast')).toHaveText('Project saved.');
    await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();
    await expect(edit.locator('#name-error')).toHaveCount(0);
    expect((await projectByOwner(dev.id))[0]!.name).toBe(renamed);

    // The cascade is spelled out before anything is deleted; a wrong confirmation deletes nothing.
    await page.getByRole('link', { name: 'Delete project…' }).click();
    await page.waitForURL(/\/delete$/);
    const danger = page.getByRole('region', { name: 'Danger zone' });
    await expect(danger.getByRole('list', { name: 'What deleting removes' })).toContainText('0 applications');
    const confirm = danger.getByLabel(`Type “${renamed}” to confirm`);
    await confirm.fill(renamed.toLowerCase());
    await danger.getByRole('button', { name: 'Delete project' }).click();
    await expect(danger.locator('#confirmation-error')).toContainText('exactly as shown');
    await expect(confirm).toHaveValue(renamed.toLowerCase());
    expect(await projectByOwner(dev.id)).toHaveLength(1);

    await confirm.fill(renamed);
    await danger.getByRole('button', { name: 'Delete project' }).click();
    await expect(page).toHaveURL((url) => url.pathname === '/');
    await expect(page.getByRole('heading', { name: 'No projects yet' })).toBeVisible();
    expect(await projectByOwner(dev.id)).toHaveLength(0);
    const audit = await dbQuery<{ action: string }>(
      `SELECT action FROM audit_logs WHERE user_id = $1 AND resource_type = 'project' ORDER BY id`,
      [dev.id],
    );
    expect(audit.map((row) => row.action)).toEqual(['project.create', 'project.update', 'project.delete']);
  } finally {
    await dev.close();
  }
});

test('deleting a project that has a volume is refused, naming the volume and its application', async ({ browser }) => {
  const dev = await signedInAs(browser, 'developer');
  const { page } = dev;
  try {
    const name = `Stateful ${stamp()}`;
    const volume = `data-${stamp()}`;
    const [project] = await dbQuery<{ id: string }>(
      'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
      [name, dev.id],
    );
    const [app] = await dbQuery<{ id: string }>(
      `INSERT INTO applications (project_id, name, type, source_type) VALUES ($1, 'api', 'docker', 'docker') RETURNING id`,
      [project!.id],
    );
    await dbQuery(`INSERT INTO volumes (name, mount_path, size_gb, application_id) VALUES ($1, '/data', 1, $2)`, [
      volume,
      app!.id,
    ]);

    await page.goto(`/projects/${project!.id}`);
    await expect(page.getByRole('link', { name: 'api', exact: true })).toHaveAttribute(
      'href',
      `/projects/${project!.id}/apps/${app!.id}`,
    );
    await expect(page.getByRole('link', { name: 'Manage volumes' })).toHaveAttribute(
      'href',
      `/projects/${project!.id}/volumes`,
    );
    await page.getByRole('link', { name: 'Delete project…' }).click();
    await page.waitForURL(/\/delete$/);
    const danger = page.getByRole('region', { name: 'Danger zone' });
    await expect(danger.getByRole('note')).toContainText(`${volume} (attached to application api)`);
    await danger.getByLabel(`Type “${name}” to confirm`).fill(name);
    await danger.getByRole('button', { name: 'Delete project' }).click();
    await expect(danger.getByRole('alert')).toContainText(
      `Delete these volumes first (detach an attached one, then delete it): ${volume} (attached to application api).`,
    );
    expect(await projectByOwner(dev.id)).toHaveLength(1);
  } finally {
    await dev.close();
  }
});

test('a viewer sees the project read-only, cannot create projects, and a forged edit from them is refused', async ({
  browser,
}) => {
  const dev = await signedInAs(browser, 'developer');
  const viewer = await signedInAs(browser, 'viewer');
  try {
    // Nothing shared with the viewer yet: the empty dashboard says how projects reach them.
    await expect(viewer.page.getByText('Your account is a viewer')).toContainText('invite you to their team');
    await expect(viewer.page.getByRole('link', { name: 'New project' })).toHaveCount(0);

    const name = `Shared ${stamp()}`;
    const [team] = await dbQuery<{ id: string }>('INSERT INTO teams (name) VALUES ($1) RETURNING id', [
      `team-${stamp()}`,
    ]);
    await dbQuery(`INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, 'owner'), ($1, $3, 'viewer')`, [
      team!.id,
      dev.id,
      viewer.id,
    ]);
    const [project] = await dbQuery<{ id: string }>(
      'INSERT INTO projects (name, owner_id, team_id) VALUES ($1, $2, $3) RETURNING id',
      [name, dev.id, team!.id],
    );

    // The developer's own edit, captured to be replayed as the viewer.
    await dev.page.goto(`/projects/${project!.id}`);
    await expect(dev.page.getByRole('link', { name: 'New application' })).toBeVisible();
    const edit = dev.page.getByRole('form', { name: 'Edit project' });
    await edit.getByLabel('Description (optional)').fill('Edited by the owner');
    const action = await captureServerAction(dev.page, async () => {
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await expect(dev.page.getByTestId('toast')).toHaveText('Project saved.');
    });

    const { page } = viewer;
    await page.goto('/');
    await expect(projectRow(page, name)).toBeVisible();
    await page.goto('/projects/new');
    await expect(page.getByRole('heading', { name: 'Viewers cannot create projects' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create project' })).toHaveCount(0);

    await page.goto(`/projects/${project!.id}`);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.getByText('Edited by the owner')).toBeVisible();
    await expect(page.getByRole('main').getByRole('button')).toHaveCount(0);
    await expect(page.getByRole('main').getByRole('textbox')).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'New application' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Danger zone' })).toHaveCount(0);

    // The owner's request, replayed with the viewer's session and another name: refused, nothing changed.
    const forgedName = `Forged ${stamp()}`;
    const forgedBody = forgeBody(action, name, forgedName);
    const forged = await replayAction(page.request, action, { body: forgedBody });
    expect(forged.status()).toBe(200);
    expect(await forged.text()).toContain('You are not allowed to change this project.');
    const nameOf = async () =>
      (await dbQuery<{ name: string }>('SELECT name FROM projects WHERE id = $1', [project!.id]))[0]!.name;
    expect(await nameOf()).toBe(name);
    const denied = await dbQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'authz.denied' AND user_id = $1 AND resource_id = $2`,
      [viewer.id, project!.id],
    );
    expect(denied[0]!.n).toBe(1);

    // The delete page is not there for a viewer either (and the attempt is audited too).
    const deletePage = await page.goto(`/projects/${project!.id}/delete`);
    expect(deletePage?.status()).toBe(404);
    await expect(page.getByLabel(/to confirm/)).toHaveCount(0);
    const deniedAgain = await dbQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'authz.denied' AND user_id = $1 AND resource_id = $2`,
      [viewer.id, project!.id],
    );
    expect(deniedAgain[0]!.n).toBe(2);

    // Control: the same forged body from the owner's session renames the project, so it was a valid request.
    const control = await replayAction(dev.page.request, action, { body: forgedBody });
    expect(control.status()).toBe(200);
    expect(await control.text()).toContain('Project saved.');
    expect(await nameOf()).toBe(forgedName);
  } finally {
    await dev.close();
    await viewer.close();
  }
});

test('a signed-in stranger (no member of the team) posting an edit with a foreign project id is refused and audited', async ({
  browser,
}) => {
  const dev = await signedInAs(browser, 'developer');
  const stranger = await signedInAs(browser, 'developer');
  try {
    const name = `Private ${stamp()}`;
    const [project] = await dbQuery<{ id: string }>(
      'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
      [name, dev.id],
    );
    const projectId = project!.id;
    await dev.page.goto(`/projects/${projectId}`);
    const edit = dev.page.getByRole('form', { name: 'Edit project' });
    await edit.getByLabel('Description (optional)').fill('Only mine');
    const action = await captureServerAction(dev.page, async () => {
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await expect(dev.page.getByTestId('toast')).toHaveText('Project saved.');
    });
    expect(action.requestBody.toString('latin1')).toContain(projectId);
    const stored = async () =>
      (
        await dbQuery<{ name: string; description: string | null }>(
          'SELECT name, description FROM projects WHERE id = $1',
          [projectId],
        )
      )[0];
    expect(await stored()).toEqual({ name, description: 'Only mine' });

    // The stranger cannot see the project, and the owner's request sent with the stranger's session changes nothing.
    expect((await stranger.page.request.get(`/projects/${projectId}`)).status()).toBe(404);
    const forged = await replayAction(stranger.page.request, action, {
      body: forgeBody(action, 'Only mine', 'Taken over'),
    });
    expect(forged.status()).toBe(200);
    expect(await forged.text()).toContain('This project does not exist, or you do not have access to it.');
    expect(await stored()).toEqual({ name, description: 'Only mine' });
    const denied = await dbQuery<{ resource_type: string; details: { action: string } }>(
      `SELECT resource_type, details FROM audit_logs WHERE action = 'authz.denied' AND user_id = $1 AND resource_id = $2 ORDER BY id`,
      [stranger.id, projectId],
    );
    // One for the page, one for the forged edit.
    expect(denied).toEqual([
      { resource_type: 'project', details: { action: 'project.read', projectId } },
      { resource_type: 'project', details: { action: 'project.update' } },
    ]);
  } finally {
    await dev.close();
    await stranger.close();
  }
});
