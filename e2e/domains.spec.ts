// Domains in the browser: an application's Domains tab (a hostile name refused beside its field with what to fix, an
// IDN added with its www partner and shown in both forms, pending until the proxy loads it, edited, DNS checked,
// removed with its redirect) and a viewer who sees the list without the forms. Each test makes its own user, project
// and application straight in the database, with names no other spec uses.
import { expect, test, type Page } from '@playwright/test';

import { dbQuery, seedSharedProject, signIn } from './support';

async function seed() {
  const shared = await seedSharedProject('dom');
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config) VALUES ($1, 'api', 'git', 'github', $2) RETURNING id`,
    [shared.projectId, JSON.stringify({ repository: 'acme/api', branch: 'main' })],
  );
  return { ...shared, appId: app!.id };
}

const domainRow = (page: Page, name: string) =>
  page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
const toast = (page: Page, text: string) => page.getByTestId('toast').filter({ hasText: text });
const stored = (domain: string) =>
  dbQuery<{ id: string; path_prefix: string; container_port: number | null; redirect_to_id: string | null }>(
    'SELECT id, path_prefix, container_port, redirect_to_id FROM domains WHERE domain = $1',
    [domain],
  );

test('a developer adds an IDN with its www redirect, edits it, checks its DNS and removes it', async ({ page }) => {
  const { owner, password, projectId, appId, stamp } = await seed();
  const unicode = `bücher-${stamp}.de`;
  await signIn(page, owner, password);
  await page.goto(`/projects/${projectId}/apps/${appId}`);
  await page.getByRole('navigation', { name: 'Application sections' }).getByRole('link', { name: 'Domains' }).click();
  await expect(page.getByRole('heading', { name: 'Domains of api (0)' })).toBeVisible();

  const add = page.getByRole('form', { name: 'Add a domain' });
  await add.getByLabel('Domain').fill(`${unicode}/shop`);
  await add.getByRole('button', { name: 'Add domain' }).click();
  await expect(add.locator('#domain-error')).toContainText('put the path in Path prefix');
  await expect(add.getByLabel('Domain')).toHaveValue(`${unicode}/shop`);

  await add.getByLabel('Domain').fill(unicode.toUpperCase());
  await add.getByLabel('Path prefix').fill('/shop');
  await add.getByLabel('Container port').fill('8080');
  await add.getByLabel('Also redirect www/apex here').check();
  await add.getByRole('button', { name: 'Add domain' }).click();
  await expect(toast(page, `${unicode} added, with www.${unicode} redirecting to it`)).toBeVisible();

  const [row] = await dbQuery<{ domain: string }>(
    'SELECT domain FROM domains WHERE project_id = $1 AND redirect_to_id IS NULL',
    [projectId],
  );
  const ascii = row!.domain;
  expect(ascii).toMatch(/^xn--.*\.de$/);
  expect((await stored(ascii))[0]).toMatchObject({ path_prefix: '/shop', container_port: 8080 });
  const main = domainRow(page, unicode);
  await expect(main).toContainText(ascii);
  await expect(main).toContainText('pending');
  await expect(main.getByRole('link', { name: unicode })).toHaveAttribute(
    'href',
    `/projects/${projectId}/apps/${appId}/domains/${(await stored(ascii))[0]!.id}`,
  );
  await expect(domainRow(page, `www.${unicode}`)).toContainText(`to ${unicode}`);

  await main.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: `Edit ${unicode}` });
  await edit.getByLabel('Path prefix').fill('/a//b');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit.locator('#pathPrefix-error')).toContainText('//');
  await edit.getByLabel('Path prefix').fill('/store');
  await edit.getByLabel('Container port').fill('');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(toast(page, `${unicode} saved.`)).toBeVisible();
  expect((await stored(ascii))[0]).toMatchObject({ path_prefix: '/store', container_port: null });

  await main.getByRole('button', { name: 'Check DNS' }).click();
  await expect(main.getByRole('status')).toContainText(/does not resolve|points elsewhere|points at this server/);

  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain(`and its redirect www.${unicode}`);
    void dialog.accept();
  });
  await main.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('heading', { name: 'Domains of api (0)' })).toBeVisible();
  expect(await dbQuery('SELECT 1 FROM domains WHERE project_id = $1', [projectId])).toEqual([]);
});

test('a team viewer sees the domains but no form to change them', async ({ page }) => {
  const { viewer, password, projectId, appId, stamp } = await seed();
  await dbQuery("INSERT INTO domains (project_id, domain, target_type, target_id) VALUES ($1, $2, 'application', $3)", [
    projectId,
    `view-${stamp}.example.com`,
    appId,
  ]);
  await signIn(page, viewer, password);
  await page.goto(`/projects/${projectId}/apps/${appId}/domains`);
  await expect(domainRow(page, `view-${stamp}.example.com`)).toBeVisible();
  await expect(page.getByText('You can see this application’s domains but not change them.')).toBeVisible();
  await expect(page.getByRole('form', { name: 'Add a domain' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Remove' })).toHaveCount(0);
});
