// API tokens: made in the UI and shown once, accepted as Bearer by route handlers, dead once revoked or when the
// user is disabled.
import { expect, test } from '@playwright/test';

import { createUser, dbQuery, signIn, uniqueStamp } from './support';

test('a token made in the UI authenticates /api/me until it is revoked in the UI', async ({
  page,
  playwright,
  baseURL,
}) => {
  const stamp = uniqueStamp();
  const username = `tokens_${stamp}`;
  const userId = await createUser(username, 'developer', `pw-tokens-${stamp}-x`);
  await signIn(page, username, `pw-tokens-${stamp}-x`);
  await page.goto('/settings/tokens');
  await page.getByLabel('Name').fill('ci deploys');
  await page.getByLabel('Expires after (days)').fill('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByLabel('New API token').inputValue();
  expect(token).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);

  // Only a hash is stored.
  const stored = await dbQuery<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE user_id = $1', [
    userId,
  ]);
  expect(stored).toHaveLength(1);
  expect(stored[0]!.token_hash).not.toContain(token.slice(4, 20));

  const api = await playwright.request.newContext({ baseURL });
  try {
    const me = await api.get('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ id: userId, username, role: 'developer' });

    // Never outranks its user: the role is read at each request.
    await dbQuery(`UPDATE users SET role = 'viewer' WHERE id = $1`, [userId]);
    expect(await (await api.get('/api/me', { headers: { authorization: `Bearer ${token}` } })).json()).toMatchObject({
      role: 'viewer',
    });

    for (const bad of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, 'Bearer', `Basic ${token}`]) {
      expect((await api.get('/api/me', { headers: { authorization: bad } })).status()).toBe(401);
    }

    // Revoked from the token list, after the confirmation that says what stops working. The role change ended the
    // browser's session, so the user (a viewer now: anyone may revoke their own tokens) signs in again.
    await signIn(page, username, `pw-tokens-${stamp}-x`);
    await page.goto('/settings/tokens');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'ci deploys', exact: true }) });
    await expect(row.getByText('Active', { exact: true })).toBeVisible();
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('Anything using it stops working at once.');
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await expect(row.getByText('Revoked', { exact: true })).toBeVisible();
    await expect(row.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
    const [revoked] = await dbQuery<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM api_tokens WHERE user_id = $1',
      [userId],
    );
    expect(revoked!.revoked_at).not.toBeNull();
    const audit = await dbQuery<{ details: { name: string } }>(
      `SELECT details FROM audit_logs WHERE action = 'token.revoke' AND user_id = $1`,
      [userId],
    );
    expect(audit.map((entry) => entry.details.name)).toEqual(['ci deploys']);
    expect((await api.get('/api/me', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);
  } finally {
    await api.dispose();
  }
});
