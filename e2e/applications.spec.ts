// Applications in the browser: create a git application (a bad branch is refused beside its field, typed values
// kept), give it a port and a health check, archive and restore it; a team viewer sees the same pages read-only.
import { expect, test, type Page } from '@playwright/test';

import { dbQuery, seedSharedProject, signIn, uniqueStamp } from './support';

const seed = () => seedSharedProject('apps');

const appRow = async (id: string) =>
  (
    await dbQuery<{ name: string; status: string; docker_config: Record<string, unknown>; deleted_at: Date | null }>(
      'SELECT name, status, docker_config, deleted_at FROM applications WHERE id = $1',
      [id],
    )
  )[0]!;

async function createGitApp(page: Page, projectId: string, name: string): Promise<string> {
  await page.goto(`/projects/${projectId}/apps/new`);
  await page.getByLabel(/^Name/).fill(name);
  await page.getByLabel('Git repository').check();
  await page.getByLabel(/^Repository/).fill('acme/api');
  await page.getByLabel(/^Branch/).fill('feature..x');
  await page.getByLabel(/^Dockerfile path/).fill('docker/api.Dockerfile');
  await page.getByRole('button', { name: 'Create application' }).click();

  // Refused beside the branch field; everything typed is still there.
  await expect(page.locator('#branch-error')).toContainText('cannot contain “..”');
  await expect(page.getByLabel(/^Branch/)).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel(/^Name/)).toHaveValue(name);
  await expect(page.getByLabel(/^Repository/)).toHaveValue('acme/api');
  await expect(page.getByLabel(/^Branch/)).toHaveValue('feature..x');
  await expect(page.getByLabel(/^Dockerfile path/)).toHaveValue('docker/api.Dockerfile');
  expect(await dbQuery('SELECT 1 FROM applications WHERE project_id = $1', [projectId])).toHaveLength(0);

  await page.getByLabel(/^Branch/).fill('feature/x');
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.waitForURL(new RegExp(`/projects/${projectId}/apps/[0-9a-f-]{36}$`));
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  return page.url().split('/').at(-1)!;
}

test('create a git application, configure it, archive and restore it; a viewer sees it read-only', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000); // one person's whole journey, plus a second browser context for the viewer
  const { projectId, owner, viewer, password } = await seed();
  const name = `api-${uniqueStamp()}`;
  await signIn(page, owner, password);
  const appId = await createGitApp(page, projectId, name);

  const [git] = await dbQuery<{ provider: string; repository: string; branch: string }>(
    'SELECT provider, repository, branch FROM git_sources WHERE application_id = $1',
    [appId],
  );
  expect(git).toEqual({ provider: 'github', repository: 'acme/api', branch: 'feature/x' });
  await expect(page.getByText('feature/x')).toBeVisible();

  // Settings: a port and a health check; a bad duration first, refused beside its field.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Add port' }).click();
  await page.getByLabel('Container port').fill('8080');
  await page.getByLabel('Published port').fill('80');
  await page.getByLabel(/^Check/).selectOption('CMD');
  const healthCheck = page.getByRole('group', { name: 'Health check' });
  await healthCheck.getByLabel(/^Command/).fill('curl\n-f\nhttp://localhost:8080/health');
  await page.getByLabel('Interval').fill('soon');
  await page.getByLabel('Retries').fill('3');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('[id="healthcheck.interval-error"]')).toContainText('not a duration');
  await expect(page.getByLabel('Container port')).toHaveValue('8080');
  await expect(healthCheck.getByLabel(/^Command/)).toHaveValue('curl\n-f\nhttp://localhost:8080/health');

  await page.getByLabel('Interval').fill('90s');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByTestId('toast')).toContainText('Settings saved');
  await expect(page.getByLabel('Interval')).toHaveValue('1m30s');
  expect((await appRow(appId)).docker_config).toEqual({
    ports: [{ target: 8080, published: 80, protocol: 'tcp', mode: 'ingress' }],
    healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8080/health'], interval: '1m30s', retries: 3 },
  });

  // The viewer: same pages, nothing to change.
  const viewerContext = await browser.newContext();
  const viewerPage = await viewerContext.newPage();
  try {
    await signIn(viewerPage, viewer, password);
    await viewerPage.goto(`/projects/${projectId}/apps/${appId}`);
    await expect(viewerPage.getByText('read-only', { exact: true })).toBeVisible();
    await expect(viewerPage.getByText('You have read-only access to this application.')).toBeVisible();
    await expect(viewerPage.getByRole('button', { name: 'Save' })).toHaveCount(0);
    await viewerPage.goto(`/projects/${projectId}/apps/${appId}/settings`);
    await expect(viewerPage.getByLabel('Container port')).toBeDisabled();
    await expect(viewerPage.getByLabel('Container port')).toHaveValue('8080');
    await expect(viewerPage.getByRole('button', { name: /Save settings|Add port|Archive/ })).toHaveCount(0);
    await viewerPage.goto(`/projects/${projectId}/apps/new`);
    await expect(viewerPage.getByText('You can view this project but not add applications')).toBeVisible();
  } finally {
    await viewerContext.close();
  }

  // Archive (confirmed), then restore.
  await page.getByRole('button', { name: 'Archive…' }).click();
  await page.getByRole('button', { name: `Yes, archive ${name}` }).click();
  await expect(page.getByText('This application is archived')).toBeVisible();
  await expect.poll(async () => (await appRow(appId)).status).toBe('archived');
  await expect(page.getByRole('button', { name: 'Save settings' })).toHaveCount(0);
  await page.goto(`/projects/${projectId}`);
  await expect(page.getByRole('rowheader', { name })).toHaveCount(0);

  await page.goto(`/projects/${projectId}/apps/${appId}/settings`);
  await page.getByRole('button', { name: 'Restore application' }).click();
  await expect(page.getByText('This application is archived')).toHaveCount(0);
  await expect.poll(async () => (await appRow(appId)).status).toBe('stopped');
  expect((await appRow(appId)).deleted_at).toBeNull();
  await page.goto(`/projects/${projectId}`);
  await expect(page.getByRole('rowheader', { name })).toBeVisible();
});

test('the deployments and logs tabs say honestly that nothing has run yet', async ({ page }) => {
  const { projectId, owner, password } = await seed();
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config) VALUES ($1, 'web', 'docker', 'docker', '{"image":"nginx:1.27"}') RETURNING id`,
    [projectId],
  );
  await signIn(page, owner, password);
  await page.goto(`/projects/${projectId}/apps/${app!.id}/deployments`);
  await expect(page.getByRole('heading', { name: 'No deployments yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Deploy', exact: true })).toBeVisible();
  await page.goto(`/projects/${projectId}/apps/${app!.id}/logs`);
  await expect(page.getByText('No runtime logs yet')).toBeVisible();
  await page.goto(`/projects/${projectId}/apps/${app!.id}/source`);
  await expect(page.getByLabel(/^Image/)).toHaveValue('nginx:1.27');
});
