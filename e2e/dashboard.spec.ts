// The dashboard over the demo data that e2e/global-setup.ts loaded: what the page shows is compared with what the
// database holds, so the spec follows the seed when it changes.
import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';

import { createUser, dbQuery, demoPassword, signIn, uniqueStamp } from './support';

const STATUSES = ['running', 'stopped', 'failed', 'deploying'] as const;

const DEMO_USER = 'john_doe';

/** Reads as the demo user, in one transaction, like the panel does: row-level security applies. */
async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.user_id', (SELECT id::text FROM users WHERE username = $1), true)", [
      DEMO_USER,
    ]);
    const { rows } = await client.query<T>(sql, values);
    await client.query('COMMIT');
    return rows;
  } finally {
    await client.end();
  }
}

const projectRows = (page: Page) => page.locator('tbody tr');
const projectRow = (page: Page, name: string) =>
  projectRows(page).filter({ has: page.getByRole('rowheader').getByText(name, { exact: true }) });

test('the dashboard lists the seeded projects with their application counts', async ({ page }) => {
  await signIn(page, DEMO_USER, demoPassword());
  const counts = await query<{ status: string; n: number }>(
    `SELECT a.status, count(*)::int AS n FROM applications a JOIN projects p ON p.id = a.project_id
      WHERE p.name = 'my-saas-app' AND a.deleted_at IS NULL GROUP BY a.status`,
  );
  const count = (status: string) => counts.find((row) => row.status === status)?.n ?? 0;
  const total = counts.reduce((sum, row) => sum + row.n, 0);
  expect(total, 'the seed gives my-saas-app applications').toBeGreaterThan(0);
  const projects = (await query<{ n: number }>('SELECT count(*)::int AS n FROM projects'))[0]!.n;

  await page.goto('/');
  await expect(page).toHaveTitle('Dashboard · Slipway');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(projectRows(page)).toHaveCount(Math.min(projects, 50));

  const row = projectRow(page, 'my-saas-app');
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell', { name: String(total), exact: true })).toBeVisible();
  for (const status of STATUSES) {
    await expect(row.getByText(`${count(status)} ${status}`, { exact: true })).toBeVisible();
  }
  await expect(row.getByRole('link', { name: 'critical', exact: true })).toBeVisible();
});

test('the tag filter narrows the list to the projects with that tag', async ({ page }) => {
  await signIn(page, DEMO_USER, demoPassword());
  const tagged = await query<{ name: string }>(
    `SELECT name FROM projects WHERE metadata @> '{"tags":["critical"]}' ORDER BY name, id`,
  );
  await page.goto('/');
  const before = await projectRows(page).count();
  expect(tagged.length, 'some seeded projects are not tagged critical').toBeLessThan(before);

  await page.getByLabel('Tag').fill('critical');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/[?&]tag=critical(&|$)/);
  await expect(projectRows(page)).toHaveCount(tagged.length);
  await expect(page.getByRole('rowheader')).toContainText(tagged.map((project) => project.name));
  await expect(projectRow(page, 'my-saas-app')).toBeVisible();
  await expect(page.getByLabel('Tag')).toHaveValue('critical');

  await page.getByRole('link', { name: 'Clear', exact: true }).click();
  await expect(projectRows(page)).toHaveCount(before);
});

test('the theme toggle switches the dark class, and the server renders the choice after a reload', async ({ page }) => {
  // A user of its own, whose saved preference this test sets: the demo users are shared by every spec.
  const username = `theme_${uniqueStamp()}`;
  const password = `pw-${username}-x`;
  const userId = await createUser(username, 'developer', password);
  await dbQuery(`UPDATE users SET preferences = '{"theme":"dark"}' WHERE id = $1`, [userId]);
  await signIn(page, username, password);
  await page.emulateMedia({ colorScheme: 'light' });
  const html = page.locator('html');
  await page.goto('/');
  // No choice in this browser yet: the user's saved preference ("dark") applies.
  await expect(html).toHaveClass(/\bdark\b/);
  await page.getByRole('button', { name: 'Light', exact: true }).click();
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(html).not.toHaveClass(/\bdark\b/);

  await page.getByRole('button', { name: 'Dark', exact: true }).click();
  await expect(html).toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  await expect(page.getByRole('button', { name: 'Dark', exact: true })).toHaveAttribute('aria-pressed', 'true');
  // In the HTML itself, not added by script after the first paint: no flash of the light theme.
  expect(await (await page.request.get('/')).text()).toMatch(/<html[^>]*class="dark"/);

  await page.getByRole('button', { name: 'Light', exact: true }).click();
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(html).not.toHaveClass(/\bdark\b/);

  // "System" follows the browser's preference.
  await page.getByRole('button', { name: 'System', exact: true }).click();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(html).not.toHaveClass(/\bdark\b/);
});
