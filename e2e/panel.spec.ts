// The whole journey, by one person in Chromium, every step through the UI: create a project, a git
// application, bulk-paste a .env with one bad line (refused on that line, nothing saved), fix it, see the secret
// masked, attach a volume, be refused deleting it, archive and restore the application. Then a team viewer opens
// the same pages and finds them read-only. The database is checked after each step that should (or should not) write.
import { expect, test, type Page } from '@playwright/test';

import { createUser, dbQuery, signIn, uniqueStamp } from './support';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const stamp = uniqueStamp();
const SECRET = `sk_live_${stamp}_do_not_leak`;

const envRows = (appId: string) =>
  dbQuery<{ key: string; value: string; is_secret: boolean }>(
    'SELECT key, value, is_secret FROM env_vars WHERE application_id = $1 ORDER BY key',
    [appId],
  );
const rowOf = (page: Page, header: string) =>
  page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: header, exact: true }) });
const toast = (page: Page, text: string | RegExp) => page.getByTestId('toast').filter({ hasText: text });

test('project → git application → .env paste with a bad line → secret masked → volume → archive and restore; a viewer reads it all', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const password = `pw-panel-${stamp}-x`;
  const developer = `panel_dev_${stamp}`;
  const viewer = `panel_view_${stamp}`;
  const developerId = await createUser(developer, 'developer', password);
  const viewerId = await createUser(viewer, 'developer', password);
  const team = `panel-team-${stamp}`;
  // One statement: a new team must have its owner by the end of the transaction that creates it.
  await dbQuery(
    `WITH t AS (INSERT INTO teams (name) VALUES ($1) RETURNING id)
     INSERT INTO team_members (team_id, user_id, role) SELECT id, $2::uuid, 'owner' FROM t UNION ALL SELECT id, $3::uuid, 'viewer' FROM t`,
    [team, developerId, viewerId],
  );

  await signIn(page, developer, password);

  // 1. A project, from the dashboard's empty state, moved into the team so the viewer can read it.
  await page.getByRole('link', { name: 'New project' }).click();
  await page.waitForURL(/\/projects\/new$/);
  const projectName = `Storefront ${stamp}`;
  await page.getByLabel(/^Name/).fill(projectName);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(new RegExp(`/projects/${UUID}$`));
  const projectId = page.url().split('/').at(-1)!;
  const move = page.getByRole('form', { name: 'Move project' });
  await move.getByLabel('Team').selectOption({ label: `${team} (you: owner)` });
  await move.getByRole('button', { name: 'Move' }).click();
  await expect
    .poll(
      async () =>
        (await dbQuery<{ team_id: string | null }>('SELECT team_id FROM projects WHERE id = $1', [projectId]))[0]
          ?.team_id,
    )
    .not.toBeNull();

  // 2. A git application.
  await page.getByRole('link', { name: 'New application' }).click();
  await page.waitForURL(/\/apps\/new$/);
  const appName = `shop-${stamp}`;
  await page.getByLabel(/^Name/).fill(appName);
  await page.getByLabel('Git repository').check();
  await page.getByLabel(/^Repository/).fill('https://github.com/acme/shop.git');
  await page.getByLabel(/^Branch/).fill('main');
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.waitForURL(new RegExp(`/projects/${projectId}/apps/${UUID}$`));
  const appId = page.url().split('/').at(-1)!;
  const appBase = `/projects/${projectId}/apps/${appId}`;
  const [app] = await dbQuery<{ type: string; source_config: Record<string, string> }>(
    'SELECT type, source_config FROM applications WHERE id = $1',
    [appId],
  );
  expect(app).toMatchObject({
    type: 'git',
    source_config: { repository: 'https://github.com/acme/shop.git', branch: 'main' },
  });

  // 3. A pasted .env with one bad line: that line is named, nothing is saved, the text stays.
  await page.getByRole('link', { name: 'Environment', exact: true }).click();
  await page.waitForURL(/\/environment$/);
  const bulk = page.getByRole('form', { name: 'Bulk edit' });
  const pasted = `# production\nexport NODE_ENV=production\nPORT=8080\n2FA_MODE=on\nSTRIPE_KEY="${SECRET}"\n`;
  await bulk.getByLabel('.env text').fill(pasted);
  await bulk.getByLabel('Store as secrets').fill('STRIPE_KEY');
  await bulk.getByRole('button', { name: 'Save all' }).click();
  const problems = bulk.getByRole('alert', { name: 'Lines to fix' });
  await expect(problems).toContainText('Line 4:');
  await expect(problems).not.toContainText('Line 2:');
  await expect(bulk.getByLabel('.env text')).toHaveValue(pasted);
  expect(await envRows(appId)).toEqual([]);

  // Fixed: everything lands, the secret encrypted and shown only as a mask.
  await bulk.getByLabel('.env text').fill(pasted.replace('2FA_MODE', 'TWO_FA_MODE'));
  await bulk.getByRole('button', { name: 'Save all' }).click();
  await expect(toast(page, /Saved: 4 added/)).toBeVisible();
  const stored = await envRows(appId);
  expect(stored.map((row) => [row.key, row.is_secret])).toEqual([
    ['NODE_ENV', false],
    ['PORT', false],
    ['STRIPE_KEY', true],
    ['TWO_FA_MODE', false],
  ]);
  expect(stored.find((row) => row.key === 'STRIPE_KEY')!.value).toMatch(/^enc:v1:\d+:/);
  await expect(rowOf(page, 'STRIPE_KEY').getByLabel('Secret value hidden')).toHaveText('••••••••');
  await page.reload();
  await expect(rowOf(page, 'STRIPE_KEY').getByLabel('Secret value hidden')).toBeVisible();
  // The DOM as rendered (the inline RSC payload included): the key is there, its value is not.
  const html = await page.content();
  expect(html).toContain('STRIPE_KEY');
  expect(html).not.toContain(SECRET);

  // 4. A volume, attached; deleting it while attached is refused with the owner named.
  await page.getByRole('link', { name: 'Volumes', exact: true }).click();
  await page.waitForURL(/\/volumes$/);
  const volume = `shop-data-${stamp}`;
  const create = page.getByRole('form', { name: 'Create a volume' });
  await create.getByLabel('Name').fill(volume);
  await create.getByLabel('Mount path').fill('/var/lib/shop');
  await create.getByLabel('Size (GB)').fill('5');
  await create.getByRole('button', { name: 'Create and attach' }).click();
  await expect(
    toast(page, `Volume ${volume} created and attached to application ${appName} at /var/lib/shop.`),
  ).toBeVisible();
  await rowOf(page, volume).getByRole('button', { name: 'Delete' }).click();
  await expect(
    page.getByText(`Volume ${volume} is attached to application ${appName} at /var/lib/shop: detach it first.`),
  ).toBeVisible();
  expect(await dbQuery('SELECT 1 FROM volumes WHERE name = $1 AND application_id = $2', [volume, appId])).toHaveLength(
    1,
  );

  // 5. Archive (confirmed) and restore.
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.waitForURL(/\/settings$/);
  await page.getByRole('button', { name: 'Archive…' }).click();
  await page.getByRole('button', { name: `Yes, archive ${appName}` }).click();
  await expect(page.getByText('This application is archived')).toBeVisible();
  await expect
    .poll(
      async () =>
        (await dbQuery<{ status: string }>('SELECT status FROM applications WHERE id = $1', [appId]))[0]?.status,
    )
    .toBe('archived');
  await page.getByRole('button', { name: 'Restore application' }).click();
  await expect(page.getByText('This application is archived')).toHaveCount(0);
  await expect
    .poll(
      async () =>
        (await dbQuery<{ status: string }>('SELECT status FROM applications WHERE id = $1', [appId]))[0]?.status,
    )
    .toBe('stopped');

  // 6. The team viewer: the same pages, nothing to change, and never the secret.
  const viewerContext = await browser.newContext();
  try {
    const view = await viewerContext.newPage();
    await signIn(view, viewer, password);
    await view.goto(`/projects/${projectId}`);
    await expect(view.getByRole('heading', { level: 1, name: projectName })).toBeVisible();
    await expect(view.getByRole('link', { name: 'New application' })).toHaveCount(0);
    await expect(view.getByRole('form', { name: 'Edit project' })).toHaveCount(0);

    await view.goto(appBase);
    await expect(view.getByText('read-only', { exact: true })).toBeVisible();
    await view.goto(`${appBase}/environment`);
    await expect(rowOf(view, 'NODE_ENV')).toContainText('production');
    await expect(rowOf(view, 'STRIPE_KEY').getByLabel('Secret value hidden')).toBeVisible();
    await expect(view.getByRole('form', { name: 'Bulk edit' })).toHaveCount(0);
    await expect(view.getByRole('button', { name: 'Reveal STRIPE_KEY' })).toHaveCount(0);
    const viewed = await view.content();
    expect(viewed).toContain('STRIPE_KEY');
    expect(viewed).not.toContain(SECRET);
    await view.goto(`${appBase}/volumes`);
    await expect(rowOf(view, volume)).toContainText('/var/lib/shop');
    await expect(view.getByRole('form', { name: 'Create a volume' })).toHaveCount(0);
    await expect(rowOf(view, volume).getByRole('button')).toHaveCount(0);
    await view.goto(`${appBase}/settings`);
    await expect(view.getByRole('button', { name: 'Archive…' })).toHaveCount(0);
  } finally {
    await viewerContext.close();
  }
});
