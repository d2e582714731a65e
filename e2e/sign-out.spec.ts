// Signing out ends the session on the server (D63): a copy of the session cookie taken before signing out, replayed
// from a fresh browser afterwards, is sent to sign-in like no cookie at all.
import { expect, test } from '@playwright/test';

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
