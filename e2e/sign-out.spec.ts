// Signing out ends the session on the server (D63): a copy of the session cookie taken before signing out, replayed
// from a fresh browser afterwards, is sent to sign-in like no cookie at all. Signing out everywhere revokes the
// account's API tokens too, unless "Keep my API tokens working" is ticked (D62).
import { expect, test, type Page } from '@playwright/test';

import { createUser, dbQuery, signIn, uniqueStamp } from './support';

test('a copy of the session cookie no longer works once its session signed out', async ({ browser }) => {
  const stamp = uniqueStamp();
  const password = `pw-${stamp}-signout`;
  const username = `signout_${stamp}`;
  const userId = await createUser(username, 'developer', password);
  const first = await browser.newContext();
  const thief = await browser.newContext();
  try {
    const page = await first.newPage();
    await signIn(page, username, password);
    const copied = (await first.cookies()).filter((cookie) => cookie.name.endsWith('next-auth.session-token'));
    expect(copied).toHaveLength(1);

    // The copy works while the session lives: the control for what follows.
    await thief.addCookies(copied);
    const other = await thief.newPage();
    await other.goto('/profile');
    await expect(other).toHaveURL(/\/profile$/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);

    // A fresh browser with only the copied cookie.
    const replay = await browser.newContext();
    try {
      await replay.addCookies(copied);
      const again = await replay.newPage();
      await again.goto('/profile');
      await expect(again).toHaveURL(/\/sign-in$/);
    } finally {
      await replay.close();
    }
    // And the browser that held the copy all along is signed out too.
    await other.reload();
    await expect(other).toHaveURL(/\/sign-in$/);

    // The sign-out (answered before the browser moved on) is in the audit log.
    await expect
      .poll(
        async () =>
          (
            await dbQuery<{ n: number }>(
              "SELECT count(*)::int AS n FROM audit_logs WHERE action = 'auth.sign_out' AND resource_id = $1",
              [userId],
            )
          )[0]!.n,
      )
      .toBe(1);
  } finally {
    await first.close();
    await thief.close();
  }
});

/** Makes a token on Settings → Tokens and returns it (shown once). */
async function newToken(page: Page, name: string): Promise<string> {
  await page.goto('/settings/tokens');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Expires after (days)').fill('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  return page.getByLabel('New API token').inputValue();
}

async function signOutEverywhere(page: Page, keepTokens: boolean): Promise<void> {
  await page.goto('/profile');
  const formOf = (button: string) => page.locator('form').filter({ has: page.getByRole('button', { name: button }) });
  // Both forms that end every session offer the choice, unticked.
  await expect(formOf('Change password').getByLabel('Keep my API tokens working')).not.toBeChecked();
  const keep = formOf('Sign out everywhere').getByLabel('Keep my API tokens working');
  await expect(keep).not.toBeChecked();
  if (keepTokens) await keep.check();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

test('signing out everywhere revokes the API tokens, unless the person keeps them', async ({
  page,
  playwright,
  baseURL,
}) => {
  const stamp = uniqueStamp();
  const password = `pw-${stamp}-tokens`;
  const username = `everytoken_${stamp}`;
  await createUser(username, 'developer', password);
  const api = await playwright.request.newContext({ baseURL });
  const works = async (token: string) =>
    (await api.get('/api/me', { headers: { authorization: `Bearer ${token}` } })).status();
  try {
    await signIn(page, username, password);
    const kept = await newToken(page, 'kept');
    expect(await works(kept)).toBe(200);
    await signOutEverywhere(page, true);
    expect(await works(kept)).toBe(200);

    await signIn(page, username, password);
    const revoked = await newToken(page, 'revoked');
    await signOutEverywhere(page, false);
    expect(await works(revoked)).toBe(401);
    expect(await works(kept)).toBe(401);

    await signIn(page, username, password);
    await page.goto('/settings/tokens');
    for (const name of ['kept', 'revoked']) {
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      await expect(row.getByText('Revoked', { exact: true })).toBeVisible();
    }
  } finally {
    await api.dispose();
  }
});
