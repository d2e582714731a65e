// Volumes in the browser: an application's Volumes tab (a bad mount path refused beside its field, create and attach,
// delete refused while attached, detach) and the project's volumes page (delete). Each test makes its own user,
// project and application straight in the database, with names no other spec uses.
import { expect, test, type Page } from '@playwright/test';

import { createUser, dbQuery, signIn, uniqueStamp } from './support';

/** A developer owning a project (optionally in a team, with a team viewer) that holds a git application `api`. */
async function seed(stamp: string, withViewer = false) {
  const password = `pw-volumes-${stamp}-x`;
  const owner = `vol_${stamp}`;
  const ownerId = await createUser(owner, 'developer', password);
  let teamId: string | null = null;
  let viewer: string | null = null;
  if (withViewer) {
    viewer = `volv_${stamp}`;
    const viewerId = await createUser(viewer, 'developer', password);
    // One statement, so the team has its owner when the transaction commits (team_keeps_owner).
    const [team] = await dbQuery<{ team_id: string }>(
      `WITH t AS (INSERT INTO teams (name) VALUES ($1) RETURNING id),
            o AS (INSERT INTO team_members (team_id, user_id, role) SELECT id, $2, 'owner' FROM t)
       INSERT INTO team_members (team_id, user_id, role) SELECT id, $3, 'viewer' FROM t RETURNING team_id`,
      [`volumes-team-${stamp}`, ownerId, viewerId],
    );
    teamId = team!.team_id;
  }
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id, team_id) VALUES ($1, $2, $3) RETURNING id',
    [`volumes-${stamp}`, ownerId, teamId],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config) VALUES ($1, 'api', 'git', 'github', $2) RETURNING id`,
    [project!.id, JSON.stringify({ repository: 'acme/api', branch: 'main' })],
  );
  return { owner, viewer, password, projectId: project!.id, appId: app!.id };
}

const volumeRow = (page: Page, name: string) =>
  page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
const toast = (page: Page, text: string) => page.getByTestId('toast').filter({ hasText: text });
const volumeExists = async (name: string) =>
  (await dbQuery('SELECT 1 FROM volumes WHERE name = $1', [name])).length === 1;

test('a developer creates and attaches a volume, is refused deleting it while attached, detaches and deletes it', async ({
  page,
}) => {
  const stamp = uniqueStamp();
  const { owner, password, projectId, appId } = await seed(stamp);
  const name = `data-${stamp}`;
  await signIn(page, owner, password);
  await page.goto(`/projects/${projectId}/apps/${appId}/volumes`);
  await expect(page.getByRole('heading', { name: 'Volumes of api (0)' })).toBeVisible();

  // A system path: refused beside the field, nothing written, what was typed kept.
  const create = page.getByRole('form', { name: 'Create a volume' });
  await create.getByLabel('Name').fill(name);
  await create.getByLabel('Mount path').fill('/etc');
  await create.getByLabel('Size (GB)').fill('20');
  await create.getByRole('button', { name: 'Create and attach' }).click();
  await expect(create.locator('#mountPath-error')).toContainText('/etc is a system path');
  await expect(create.getByLabel('Mount path')).toHaveAttribute('aria-invalid', 'true');
  await expect(create.getByLabel('Name')).toHaveValue(name);
  await expect(create.getByLabel('Size (GB)')).toHaveValue('20');
  await expect(create.getByLabel('Mount path')).toHaveValue('/etc');
  expect(await volumeExists(name)).toBe(false);

  await create.getByLabel('Mount path').fill('/data');
  await create.getByRole('button', { name: 'Create and attach' }).click();
  await expect(toast(page, `Volume ${name} created and attached to application api at /data.`)).toBeVisible();
  const row = volumeRow(page, name);
  await expect(row).toContainText('/data');
  await expect(row).toContainText('20 GB');
  const [stored] = await dbQuery<{ application_id: string; project_id: string; size_gb: number }>(
    'SELECT application_id, project_id, size_gb FROM volumes WHERE name = $1',
    [name],
  );
  expect(stored).toEqual({ application_id: appId, project_id: projectId, size_gb: 20 });

  // Deleting while attached: refused, and the message names the application.
  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(
    page.getByText(`Volume ${name} is attached to application api at /data: detach it first.`),
  ).toBeVisible();
  expect(await volumeExists(name)).toBe(true);

  await row.getByRole('button', { name: 'Detach' }).click();
  await expect(toast(page, `Volume ${name} detached.`)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No volumes attached' })).toBeVisible();
  // Detached, it is offered for attaching again.
  await expect(page.getByRole('form', { name: 'Attach an existing volume' }).getByLabel('Volume')).toContainText(name);

  await page.getByRole('link', { name: /All volumes of/ }).click();
  await expect(page).toHaveURL(`/projects/${projectId}/volumes`);
  const listed = volumeRow(page, name);
  await expect(listed).toContainText('detached');
  page.once('dialog', (dialog) => void dialog.accept());
  await listed.getByRole('button', { name: 'Delete' }).click();
  await expect(toast(page, `Volume ${name} deleted.`)).toBeVisible();
  await expect(listed).toHaveCount(0);
  expect(await volumeExists(name)).toBe(false);
});

test('a team viewer sees the volumes read-only', async ({ page }) => {
  const stamp = uniqueStamp();
  const { viewer, password, projectId, appId } = await seed(stamp, true);
  const name = `ro-${stamp}`;
  await dbQuery(`INSERT INTO volumes (name, mount_path, size_gb, application_id) VALUES ($1, '/srv', 3, $2)`, [
    name,
    appId,
  ]);
  await signIn(page, viewer!, password);

  await page.goto(`/projects/${projectId}/apps/${appId}/volumes`);
  await expect(volumeRow(page, name)).toContainText('/srv');
  await expect(page.getByText('You can see this application’s volumes but not change them.')).toBeVisible();
  await expect(page.getByRole('form', { name: 'Create a volume' })).toHaveCount(0);
  await expect(volumeRow(page, name).getByRole('button')).toHaveCount(0);

  await page.goto(`/projects/${projectId}/volumes`);
  await expect(volumeRow(page, name)).toContainText('api');
  await expect(page.getByRole('form', { name: 'Create a volume' })).toHaveCount(0);
  await expect(volumeRow(page, name).getByRole('button')).toHaveCount(0);
});
