// Changing one's password on the profile page: a wrong current password is refused beside its field and changes
// nothing; a good change ends every session of the account (another browser's too), the old password stops working
// and the new one signs in.
import { expect, test, type Page } from '@playwright/test';

import { createUser, dbQuery, signIn, uniqueStamp } from './support';

async function fillPasswordForm(page: Page, current: string, next: string) {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Repeat the new password').fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
}

test('a wrong current password is refused beside its field; a good change signs every session out and the new password works', async ({
  browser,
}) => {
  // Four sign-ins and two password hashes at bcrypt cost 12: CPU-bound, slow on a loaded 2-core machine (42 s seen).
  test.setTimeout(120_000);
  const username = `passwd_${uniqueStamp()}`;
  const oldPassword = `pw-${username}-old-one`;
  const newPassword = `pw-${username}-new-one`;
  const userId = await createUser(username, 'developer', oldPassword);
  const hash = async () =>
    (await dbQuery<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]))[0]!
      .password_hash;
  const audited = async () =>
    (
      await dbQuery<{ action: string }>(
        `SELECT action FROM audit_logs WHERE resource_id = $1 AND action LIKE 'user.password%' ORDER BY id`,
        [userId],
      )
    ).map((row) => row.action);
  const before = await hash();
  const here = await browser.newContext();
  const elsewhere = await browser.newContext();
  try {
    const page = await here.newPage();
    const other = await elsewhere.newPage();
    await signIn(page, username, oldPassword);
    await signIn(other, username, oldPassword);

    await page.goto('/profile');
    await fillPasswordForm(page, 'not my password at all', newPassword);
    await expect(page.locator('#current-error')).toHaveText('This is not your current password.');
    await expect(page.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/\/profile$/);
    expect(await hash()).toBe(before);
    expect(await audited()).toEqual(['user.password_change_failed']);
    // Nothing was ended by the refusal: the other browser still works.
    await other.goto('/profile');
    await expect(other).toHaveURL(/\/profile$/);

    await fillPasswordForm(page, oldPassword, newPassword);
    await expect(page).toHaveURL(/\/sign-in$/);
    expect(await hash()).not.toBe(before);
    expect(await audited()).toEqual(['user.password_change_failed', 'user.password_change']);

    // The other browser's session ended too.
    await other.reload();
    await expect(other).toHaveURL(/\/sign-in/);

    // The old password is refused like any wrong one; the new one signs in.
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(oldPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText('Wrong username, email or password.');
    await signIn(page, username, newPassword);
    await page.goto('/profile');
    await expect(page.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
  } finally {
    await here.close();
    await elsewhere.close();
  }
});
