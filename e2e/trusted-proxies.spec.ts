// An administrator sets the trusted proxies in the panel and the running server applies them: before, a forwarded
// request is attributed to the proxy (and the page warns about it); after, to the client the proxy names; cleared,
// to the proxy again. A panel and database of its own: trusting 127.0.0.1 on the shared panel would let every other
// spec's spoofed X-Forwarded-For through.
import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';

import { testingDatabase } from './global-teardown';
import { startOwnPanel, type OwnPanel } from './panel-process';
import { uniqueStamp } from './support';

test.describe.configure({ timeout: 180_000 });

const PASSWORD = 'a long enough passphrase 42';
let own: OwnPanel | undefined;
let baseUrl = '';
let database = '';

test.beforeAll(async () => {
  own = await startOwnPanel('proxies', { SLIPWAY_TRUSTED_PROXIES: '', SLIPWAY_WORKER: 'off' });
  ({ database } = own);
  baseUrl = own.panel.baseUrl;
});

test.afterAll(async () => {
  await own?.stop();
});

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: testingDatabase().roleUrl(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function failedSignInFrom(page: Page, identifier: string): Promise<string[]> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('form [role="alert"]')).toContainText('Wrong username, email or password.');
  const rows = await query<{ ip: string }>(
    "SELECT host(ip_address) AS ip FROM audit_logs WHERE action = 'auth.sign_in_failed' AND details->>'identifier' = $1",
    [identifier],
  );
  return rows.map((row) => row.ip);
}

test('an administrator trusts a proxy in the panel, and the running server believes its X-Forwarded-For', async ({
  browser,
}) => {
  const admin = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '203.0.113.77' } });
  const page = await admin.newPage();
  await page.goto(`${baseUrl}/setup`);
  await page.locator('input[name="username"]').fill('root');
  await page.locator('input[name="email"]').fill('root@example.com');
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('input[name="confirm"]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the administrator' }).click();
  await expect(page).toHaveURL(/\/sign-in\?setup=done$/);
  await page.getByLabel('Username or email').fill('root');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${baseUrl}/`);

  // No proxy trusted: the forwarded address is ignored, and the page says what that means.
  await page.getByRole('link', { name: 'Network' }).click();
  await expect(page).toHaveURL(`${baseUrl}/settings/network`);
  await expect(page.getByTestId('seen-address')).toHaveText('127.0.0.1');
  await expect(page.getByTestId('proxy-warning')).toContainText('a private address, with an X-Forwarded-For header');
  const visitor = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.88' } });
  const visitorPage = await visitor.newPage();
  expect(await failedSignInFrom(visitorPage, `before-${uniqueStamp()}`)).toEqual(['127.0.0.1']);

  // A wrong entry is refused beside the field, and nothing changes.
  const field = page.getByRole('textbox', { name: 'Trusted proxies' });
  await field.fill('127.0.0.1, not-an-address');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Invalid trusted proxy "not-an-address"')).toBeVisible();

  await field.fill('127.0.0.1');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('X-Forwarded-For is now believed from 127.0.0.1');
  await page.reload();
  await expect(page.getByTestId('seen-address')).toHaveText('203.0.113.77');
  await expect(page.getByTestId('applied-proxies')).toHaveText('127.0.0.1');
  await expect(page.getByTestId('proxy-warning')).toHaveCount(0);
  expect(await failedSignInFrom(visitorPage, `trusted-${uniqueStamp()}`)).toEqual(['198.51.100.88']);

  // Cleared: back to the connection's address, without a restart.
  await page.getByRole('textbox', { name: 'Trusted proxies' }).fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('no proxy is trusted');
  expect(await failedSignInFrom(visitorPage, `cleared-${uniqueStamp()}`)).toEqual(['127.0.0.1']);
  const audit = await query<{ details: { to: string } }>(
    "SELECT details FROM audit_logs WHERE action = 'settings.update' ORDER BY id",
  );
  expect(audit.map((row) => row.details.to)).toEqual(['127.0.0.1', '']);
  await visitor.close();
  await admin.close();
});
