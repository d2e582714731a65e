// Sign-in, sessions that end server-side, object-level authorization and cross-origin server actions, in Chromium
// against the built panel with the demo data (e2e/global-setup.ts).
import { expect, test } from '@playwright/test';
import { captureServerAction, createUser, dbQuery, demoPassword, signIn } from './support';

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
  const password = `pw-${Date.now()}-everywhere`;
  const username = `everywhere_${Date.now() % 100000}`;
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
  const password = `pw-${Date.now()}-origin`;
  const username = `origin_${Date.now() % 100000}`;
  const userId = await createUser(username, 'developer', password);
  await signIn(page, username, password);
  await page.goto('/profile');

  const captured = captureServerAction(page);
  await page.getByRole('button', { name: 'Save preferences' }).click();
  const action = await captured;
  await expect.poll(async () => (await dbQuery(`SELECT preferences FROM users WHERE id = $1`, [userId]))[0]!.preferences).not.toEqual({});
  await dbQuery(`UPDATE users SET preferences = '{}' WHERE id = $1`, [userId]);

  // Replayed as captured, minus what the client computes itself.
  const headers = Object.fromEntries(Object.entries(action.headers).filter(([name]) => !['host', 'content-length'].includes(name)));
  const forged = await page.request.fetch(action.url, {
    method: 'POST',
    headers: { ...headers, origin: 'http://evil.example', referer: 'http://evil.example/' },
    data: action.body,
    maxRedirects: 0,
  });
  expect(forged.status()).toBeGreaterThanOrEqual(400);
  expect((await dbQuery(`SELECT preferences FROM users WHERE id = $1`, [userId]))[0]!.preferences).toEqual({});

  // The same request from the panel's own origin goes through, so the refusal above is about the origin alone.
  const same = await page.request.fetch(action.url, { method: 'POST', headers, data: action.body, maxRedirects: 0 });
  expect(same.status()).toBeLessThan(400);
  await expect.poll(async () => (await dbQuery(`SELECT preferences FROM users WHERE id = $1`, [userId]))[0]!.preferences).not.toEqual({});
});

test('a viewer sees no mutating controls, and a forged server-action call from a viewer is refused', async ({ browser }) => {
  const stamp = Date.now() % 1_000_000;
  const dev = { name: `dev_${stamp}`, password: `pw-dev-${stamp}-x` };
  const viewer = { name: `viewer_${stamp}`, password: `pw-viewer-${stamp}-x` };
  await createUser(dev.name, 'developer', dev.password);
  const viewerId = await createUser(viewer.name, 'viewer', viewer.password);
  const devContext = await browser.newContext();
  const viewerContext = await browser.newContext();
  try {
    // A developer creates a team: the request a forger would copy.
    const devPage = await devContext.newPage();
    await signIn(devPage, dev.name, dev.password);
    await devPage.goto('/teams');
    await devPage.getByLabel('Name').first().fill(`devteam-${stamp}`);
    const captured = captureServerAction(devPage);
    await devPage.getByRole('button', { name: 'Create team' }).click();
    const action = await captured;
    await expect.poll(async () => (await dbQuery(`SELECT count(*)::int AS n FROM teams WHERE name = $1`, [`devteam-${stamp}`]))[0]!.n).toBe(1);

    const page = await viewerContext.newPage();
    await signIn(page, viewer.name, viewer.password);
    await page.goto('/teams');
    await expect(page.getByRole('button', { name: 'Create team' })).toHaveCount(0);
    const [project] = await dbQuery<{ id: string }>(`SELECT id FROM projects WHERE name = 'my-saas-app'`);
    await dbQuery(
      `INSERT INTO team_members (user_id, team_id, role) SELECT $1, team_id, 'viewer' FROM projects WHERE id = $2`,
      [viewerId, project!.id],
    );
    await page.goto(`/projects/${project!.id}`);
    await expect(page.getByRole('heading', { name: 'my-saas-app' })).toBeVisible();
    await expect(page.getByRole('main').getByRole('button')).toHaveCount(0);

    // The developer's request, replayed with the viewer's session and another name: nothing is created.
    const headers = Object.fromEntries(Object.entries(action.headers).filter(([name]) => !['host', 'content-length', 'cookie'].includes(name)));
    const body = action.body.toString('latin1').replace(`devteam-${stamp}`, `forged-${stamp}`);
    const forged = await page.request.fetch(action.url, { method: 'POST', headers, data: Buffer.from(body, 'latin1'), maxRedirects: 0 });
    expect(forged.status()).toBeLessThan(500);
    const forgedTeams = await dbQuery<{ n: number }>(`SELECT count(*)::int AS n FROM teams WHERE name = $1`, [`forged-${stamp}`]);
    expect(forgedTeams[0]!.n).toBe(0);
    const denied = await dbQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'authz.denied' AND user_id = $1`, [viewerId]);
    expect(denied[0]!.n).toBeGreaterThanOrEqual(1);
  } finally {
    await devContext.close();
    await viewerContext.close();
  }
});
