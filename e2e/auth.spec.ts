// Sign-in, sessions that end server-side, object-level authorization and cross-origin server actions, in Chromium
// against the built panel with the demo data (e2e/global-setup.ts).
import { expect, test } from '@playwright/test';

import {
  captureServerAction,
  createUser,
  dbQuery,
  demoPassword,
  forgeBody,
  replayAction,
  signedInAs,
  signIn,
  uniqueStamp,
} from './support';

test('a wrong password shows one generic message; the right one opens the dashboard', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByLabel('Username or email').fill('john_doe');
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const message = page.getByRole('main').getByRole('alert');
  await expect(message).toHaveText('Wrong username, email or password.');

  // An unknown account gets exactly the same words.
  await page.getByLabel('Username or email').fill('nobody_here');
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(message).toHaveText('Wrong username, email or password.');

  await page.getByLabel('Username or email').fill('john@example.com');
  await page.getByLabel('Password').fill(demoPassword());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);

  const failures = await dbQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'auth.sign_in_failed' AND details->>'identifier' IN ('john_doe', 'nobody_here')`,
  );
  expect(failures[0]!.n).toBeGreaterThanOrEqual(2);
});

test("another user's project URL is a not-found page", async ({ page }) => {
  const [project] = await dbQuery<{ id: string }>(`SELECT id FROM projects WHERE name = 'internal-tools'`); // jane's, no team
  await signIn(page, 'john_doe', demoPassword());
  const response = await page.goto(`/projects/${project!.id}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByText('internal-tools')).toHaveCount(0);

  const [own] = await dbQuery<{ id: string }>(`SELECT id FROM projects WHERE name = 'my-saas-app'`);
  const ok = await page.goto(`/projects/${own!.id}`);
  expect(ok?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'my-saas-app' })).toBeVisible();
});

test('signing out everywhere ends the session of a second browser', async ({ browser }) => {
  const stamp = uniqueStamp();
  const password = `pw-${stamp}-everywhere`;
  const username = `everywhere_${stamp}`;
  await createUser(username, 'developer', password);
  const first = await browser.newContext();
  const second = await browser.newContext();
  try {
    const a = await first.newPage();
    const b = await second.newPage();
    await signIn(a, username, password);
    await signIn(b, username, password);

    await b.goto('/profile');
    await expect(b).toHaveURL(/\/profile$/);

    a.on('dialog', (dialog) => void dialog.accept());
    await a.goto('/profile');
    await a.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect(a).toHaveURL(/\/sign-in/);

    await b.reload();
    await expect(b).toHaveURL(/\/sign-in/);
  } finally {
    await first.close();
    await second.close();
  }
});

test('a server action posted from another origin is refused and changes nothing', async ({ page }) => {
  const stamp = uniqueStamp();
  const password = `pw-${stamp}-origin`;
  const username = `origin_${stamp}`;
  const userId = await createUser(username, 'developer', password);
  const preferences = async () =>
    (await dbQuery(`SELECT preferences FROM users WHERE id = $1`, [userId]))[0]!.preferences;
  await signIn(page, username, password);
  await page.goto('/profile');

  const action = await captureServerAction(page, async () => {
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect(page.getByText('Preferences saved.')).toBeVisible();
  });
  expect(await preferences()).not.toEqual({});
  await dbQuery(`UPDATE users SET preferences = '{}' WHERE id = $1`, [userId]);

  // Replayed as captured, from another origin: refused at the edge (proxy.ts) before the action runs, as a refusal
  // and not a server error.
  const forged = await replayAction(page.request, action, { origin: 'http://evil.example' });
  expect(forged.status()).toBe(403);
  const refusal = await forged.text();
  expect(refusal).toContain('this request came from another site');
  expect(refusal).not.toContain('Preferences saved.');
  expect(refusal).not.toMatch(/\bat \S+ \(|node_modules|Error:/);
  expect(await preferences()).toEqual({});

  // The same request from the panel's own origin goes through, so the refusal above is about the origin alone.
  const same = await replayAction(page.request, action);
  expect(same.status()).toBe(200);
  expect(await same.text()).toContain('Preferences saved.');
  expect(await preferences()).not.toEqual({});
});

test('a viewer sees no mutating controls, and a forged server-action call from a viewer is refused', async ({
  browser,
}) => {
  const dev = await signedInAs(browser, 'developer', 'auth');
  const viewer = await signedInAs(browser, 'viewer', 'auth');
  const stamp = uniqueStamp();
  const teamCount = async (name: string) =>
    (await dbQuery<{ n: number }>(`SELECT count(*)::int AS n FROM teams WHERE name = $1`, [name]))[0]!.n;
  try {
    // A developer creates a team: the request a forger would copy.
    await dev.page.goto('/teams');
    await dev.page.getByLabel('Name').first().fill(`devteam-${stamp}`);
    const action = await captureServerAction(dev.page, async () => {
      await dev.page.getByRole('button', { name: 'Create team' }).click();
      await dev.page.waitForURL(/\/teams\/[0-9a-f-]{36}$/);
    });
    expect(await teamCount(`devteam-${stamp}`)).toBe(1);

    const { page } = viewer;
    await page.goto('/teams');
    await expect(page.getByRole('button', { name: 'Create team' })).toHaveCount(0);
    const [project] = await dbQuery<{ id: string }>(`SELECT id FROM projects WHERE name = 'my-saas-app'`);
    await dbQuery(
      `INSERT INTO team_members (user_id, team_id, role) SELECT $1, team_id, 'viewer' FROM projects WHERE id = $2`,
      [viewer.id, project!.id],
    );
    await page.goto(`/projects/${project!.id}`);
    await expect(page.getByRole('heading', { name: 'my-saas-app' })).toBeVisible();
    await expect(page.getByRole('main').getByRole('button')).toHaveCount(0);

    // The developer's request, replayed with the viewer's session and another name: refused, nothing created.
    const forgedBody = forgeBody(action, `devteam-${stamp}`, `forged-${stamp}`);
    const forged = await replayAction(page.request, action, { body: forgedBody });
    expect(forged.status()).toBe(200);
    expect(await forged.text()).toContain('You are not allowed to create teams.');
    expect(await teamCount(`forged-${stamp}`)).toBe(0);
    const denied = await dbQuery<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_logs WHERE action = 'authz.denied' AND user_id = $1 AND resource_type = 'team'`,
      [viewer.id],
    );
    expect(denied.map((row) => row.details)).toEqual([
      expect.objectContaining({ action: 'team.create', name: `forged-${stamp}` }),
    ]);

    // Control: the same forged body from the developer's session creates the team, so it was a valid request.
    const control = await replayAction(dev.page.request, action, { body: forgedBody });
    expect(control.status()).toBeLessThan(400);
    await expect.poll(() => teamCount(`forged-${stamp}`)).toBe(1);
  } finally {
    await dev.close();
    await viewer.close();
  }
});
