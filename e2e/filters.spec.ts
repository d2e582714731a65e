// The list pages' filter forms (users, audit log; the dashboard's are in dashboard.spec.ts): what was typed stays in
// the form, a bad value is shown beside its field (and the control points at it), Clear goes back to the whole list.
import { expect, test, type Page } from '@playwright/test';

import { createUser, signedInAs, uniqueStamp } from './support';

/** The users table's row of one user (its first cell holds the user name and email). */
const rowOf = (page: Page, username: string) =>
  page.getByRole('row').filter({ has: page.getByText(username, { exact: true }) });

test('a user made with the New user form is found by the users filter, which keeps what was typed; Clear shows everyone', async ({
  browser,
}) => {
  const admin = await signedInAs(browser, 'super_admin', 'filters');
  const { page } = admin;
  try {
    const stamp = uniqueStamp();
    const wanted = `flt_dev_${stamp}`;
    await createUser(`flt_view_${stamp}`, 'viewer', `pw-flt-view-${stamp}-secret`);

    // The developer is made through the New user form, as an administrator would.
    await page.goto('/users');
    const create = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create user' }) });
    await create.getByLabel('Username').fill(wanted);
    await create.getByLabel('Email').fill(`${wanted}@example.test`);
    await create.getByLabel('Role').selectOption('developer');
    await create.getByLabel('Password', { exact: true }).fill(`pw-${wanted}-secret`);
    await create.getByLabel('Repeat the password').fill(`pw-${wanted}-secret`);
    await create.getByRole('button', { name: 'Create user' }).click();
    await expect(create.getByText(`${wanted} can now sign in as developer.`, { exact: false })).toBeVisible();
    await expect(create.getByLabel('Password', { exact: true })).toHaveValue('');

    const form = page.getByRole('search', { name: 'Filter users' });
    await form.getByLabel('Username or email contains').fill(`flt_`);
    await form.getByLabel('Role').selectOption('developer');
    await form.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('role') === 'developer');

    await expect(rowOf(page, wanted)).toBeVisible();
    await expect(rowOf(page, `flt_view_${stamp}`)).toHaveCount(0);
    await expect(form.getByLabel('Username or email contains')).toHaveValue('flt_');
    await expect(form.getByLabel('Role')).toHaveValue('developer');

    await form.getByRole('link', { name: 'Clear', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/users' && url.search === '');
    await expect(rowOf(page, `flt_view_${stamp}`)).toBeVisible();
    await expect(form.getByRole('link', { name: 'Clear', exact: true })).toHaveCount(0);
  } finally {
    await admin.close();
  }
});

test('a bad audit filter is named beside its field, the control points at it, and the other values stay', async ({
  browser,
}) => {
  const admin = await signedInAs(browser, 'super_admin', 'filters');
  const { page } = admin;
  try {
    await page.goto('/audit?user=john_doe&resourceId=not-a-uuid');
    const form = page.getByRole('search', { name: 'Filter the audit log' });
    const resourceId = form.getByLabel('Resource id');
    await expect(resourceId).toHaveValue('not-a-uuid');
    await expect(resourceId).toHaveAttribute('aria-invalid', 'true');
    const describedBy = await resourceId.getAttribute('aria-describedby');
    expect(describedBy).toBe('resourceId-error');
    await expect(page.locator(`#${describedBy}`)).not.toBeEmpty();
    await expect(form.getByLabel('User')).toHaveValue('john_doe');
    await expect(form.getByLabel('User')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByRole('link', { name: 'Clear', exact: true })).toHaveAttribute('href', '/audit');
  } finally {
    await admin.close();
  }
});
