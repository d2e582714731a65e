// First run on an empty database: every page leads to setup, setup creates the super_admin once, then it is gone.
import { expect, test } from '@playwright/test';

import { startOwnPanel, type OwnPanel } from './panel-process';
import { nonceOf } from './support';

test.describe('first-run setup', () => {
  test.describe.configure({ timeout: 120_000 });
  let own: OwnPanel | undefined;
  let baseUrl = '';

  test.beforeAll(async () => {
    own = await startOwnPanel('setup');
    baseUrl = own.panel.baseUrl;
  });

  test.afterAll(async () => {
    await own?.stop();
  });

  test('creates the first user as super_admin, then the setup page is gone', async ({ page }) => {
    await page.goto(`${baseUrl}/`);
    await expect(page).toHaveURL(`${baseUrl}/setup`);
    // The first-run page is a page like the others: the security headers and a nonce CSP (D59).
    const first = await page.request.get(`${baseUrl}/setup`);
    expect(first.status()).toBe(200);
    nonceOf(first, 'the first-run setup page');

    await page.locator('input[name="username"]').fill('Root Admin');
    await page.locator('input[name="email"]').fill('root@example.com');
    await page.locator('input[name="password"]').fill('short');
    await page.locator('input[name="confirm"]').fill('different');
    await page.getByRole('button', { name: 'Create the administrator' }).click();
    await expect(page.locator('#username-error')).toBeVisible();
    await expect(page.locator('#password-error')).toBeVisible();
    await expect(page.locator('#confirm-error')).toBeVisible();
    // What was typed stays (except passwords).
    await expect(page.locator('input[name="email"]')).toHaveValue('root@example.com');

    const password = 'a long enough passphrase 42';
    await page.locator('input[name="username"]').fill('root');
    await page.locator('input[name="password"]').fill(password);
    await page.locator('input[name="confirm"]').fill(password);
    await page.getByRole('button', { name: 'Create the administrator' }).click();
    await expect(page).toHaveURL(/\/sign-in\?setup=done$/);

    // The page is gone for good: it sends everyone to sign in.
    await page.goto(`${baseUrl}/setup`);
    await expect(page).toHaveURL(`${baseUrl}/sign-in`);

    await page.getByLabel('Username or email').fill('root');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${baseUrl}/`);
    await expect(page.getByRole('link', { name: 'Users' })).toBeVisible();
  });
});
