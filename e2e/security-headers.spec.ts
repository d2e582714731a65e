// The HTTP edge: every kind of answer carries the security headers (D59), pages a nonce CSP that Chromium enforces
// without a single violation while the panel works; cookie-authenticated route handlers refuse other sites (D60);
// and a server action over Next.js's old 1 MB limit gets its field's own message, over the hard cap a plain 413.
import { expect, test, type Page } from '@playwright/test';

import {
  captureServerAction,
  dbQuery,
  expectSafeHeaders,
  forgeBody,
  nonceOf,
  replayAction,
  signedInAs,
  uniqueStamp,
} from './support';

const EVIL = 'http://evil.example';

/** A project owned by `ownerId` with one application, a finished deployment and a variable. */
async function seedApplication(ownerId: string) {
  const stamp = uniqueStamp();
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
    [`headers-${stamp}`, ownerId],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config)
     VALUES ($1, 'web', 'docker', 'docker', '{"image":"nginx:1.27"}') RETURNING id`,
    [project!.id],
  );
  const [deployment] = await dbQuery<{ id: string }>(
    `INSERT INTO deployments (application_id, triggered_by, status, started_at, completed_at)
     VALUES ($1, $2, 'success', now() - interval '1 minute', now()) RETURNING id`,
    [app!.id, ownerId],
  );
  await dbQuery(`INSERT INTO env_vars (application_id, key, value) VALUES ($1, 'PLAIN', 'one')`, [app!.id]);
  const appPath = `/projects/${project!.id}/apps/${app!.id}`;
  return { projectId: project!.id, appId: app!.id, deploymentId: deployment!.id, appPath };
}

/** Every CSP violation and CSP console complaint the page reports, from the first document on. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction('__reportViolation', (text: string) => seen.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { __reportViolation: (text: string) => void }).__reportViolation(
        `${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`,
      ),
    );
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Permissions-Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

/** Loads `path` and checks the document's headers, that Next.js's scripts carry its nonce and that they ran. */
async function visit(page: Page, path: string, status = 200): Promise<string> {
  const response = await page.goto(path);
  expect(response, path).not.toBeNull();
  expect(response!.status(), path).toBe(status);
  const nonce = nonceOf(response!, path);
  // Every script the server wrote into the document carries it (Next.js's chunks, its inline RSC payload, the theme
  // script); chunks loaded later by those are allowed by 'strict-dynamic'.
  const tags = (await response!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length, path).toBeGreaterThan(0);
  for (const tag of tags) expect(tag, path).toContain(` nonce="${nonce}"`);
  // Hydrated: the app router's bootstrap (an external chunk, allowed through the nonce) has run.
  await expect
    .poll(() => page.evaluate(() => Boolean((window as { next?: { router?: unknown } }).next?.router)), {
      message: path,
    })
    .toBe(true);
  return nonce;
}

test('every kind of page carries the security headers and a nonce CSP that Chromium enforces without a violation', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const admin = await signedInAs(browser, 'super_admin', 'csp');
  const anonymous = await browser.newContext();
  try {
    const { page } = admin;
    const violations = await watchViolations(page);
    const { projectId, deploymentId, appPath } = await seedApplication(admin.id);

    const signInPage = await anonymous.newPage();
    const anonymousViolations = await watchViolations(signInPage);
    await visit(signInPage, '/sign-in');
    await expect(signInPage.getByRole('button', { name: 'Sign in' })).toBeVisible();
    // Setup is done on this panel: /setup sends the visitor on, and that answer carries the headers too.
    const setup = await anonymous.request.get('/setup', { maxRedirects: 0 });
    expect([200, 303, 307, 308]).toContain(setup.status());
    nonceOf(setup, '/setup');
    expect(anonymousViolations).toEqual([]);

    const pages = [
      '/',
      '/projects/new',
      `/projects/${projectId}`,
      `/projects/${projectId}/volumes`,
      appPath,
      `${appPath}/deployments`,
      `${appPath}/deployments/${deploymentId}`,
      `${appPath}/environment`,
      `${appPath}/logs`,
      `${appPath}/source`,
      `${appPath}/volumes`,
      `${appPath}/webhook`,
      `${appPath}/settings`,
      '/settings/tokens',
      '/settings/network',
      '/audit',
      '/users',
      '/teams',
      '/profile',
    ];
    const nonces = new Set<string>();
    for (const path of pages) nonces.add(await visit(page, path));
    // Fresh for every response.
    expect(nonces.size).toBe(pages.length);
    // The deployment page's log stream ran to its end (the EventSource passed connect-src).
    await page.goto(`${appPath}/deployments/${deploymentId}`);
    await expect(page.getByTestId('log-state')).toHaveText('finished');

    // A page that does not exist: the 404 page is a page like the others.
    await visit(page, `/no-such-page-${uniqueStamp()}`, 404);
    // A client-side navigation (RSC payload) and a server action work under the policy.
    await page.goto('/profile');
    await page.getByRole('link', { name: 'Teams' }).first().click();
    await expect(page).toHaveURL(/\/teams$/);
    await page.goto('/profile');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect(page.getByText('Preferences saved.')).toBeVisible();
    expect(violations).toEqual([]);
    // The watch sees what the policy blocks: markup injected with a style attribute is refused and reported.
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p style="color: red">injected</p>'));
    await expect.poll(() => violations).toContainEqual(expect.stringContaining('style-src-attr blocked inline'));

    // Route handlers (JSON and an event stream), a static file, Next.js's build files and error answers: the
    // headers, without a CSP (they are not documents).
    const json = await page.request.get('/api/me');
    expect(json.status()).toBe(200);
    expectSafeHeaders(json.headers(), '/api/me');
    const unauthorized = await anonymous.request.get('/api/me');
    expect(unauthorized.status()).toBe(401);
    expectSafeHeaders(unauthorized.headers(), '/api/me without a session');
    const stream = await page.evaluate(async (url) => {
      const abort = new AbortController();
      const response = await fetch(url, { signal: abort.signal });
      abort.abort();
      return { status: response.status, headers: Object.fromEntries(response.headers) };
    }, `/api/deployments/${deploymentId}/logs`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    expectSafeHeaders(stream.headers, 'the log stream');
    const chunk = await page.evaluate(
      () => document.querySelector<HTMLScriptElement>('script[src*="/_next/static/"]')?.src,
    );
    expect(chunk).toBeTruthy();
    for (const file of [chunk!, '/favicon.ico', '/robots.txt']) {
      const response = await page.request.get(file);
      expect(response.status(), file).toBe(200);
      expectSafeHeaders(response.headers(), file);
    }
    const unknownAction = await page.request.post('/profile', {
      headers: { 'next-action': '00'.repeat(21), 'content-type': 'text/plain;charset=UTF-8' },
      data: '[]',
    });
    expect(unknownAction.status()).toBeGreaterThanOrEqual(400);
    expectSafeHeaders(unknownAction.headers(), 'an unknown server action');
  } finally {
    await anonymous.close();
    await admin.close();
  }
});

test('a route handler signed in by the session cookie refuses a request from another site; an API token is not asked', async ({
  browser,
}) => {
  const user = await signedInAs(browser, 'developer', 'origin');
  try {
    const { deploymentId } = await seedApplication(user.id);
    const { request } = user.page;
    const own = new URL(test.info().project.use.baseURL!).origin;

    const refused = await request.get('/api/me', { headers: { origin: EVIL } });
    expect(refused.status()).toBe(403);
    expectSafeHeaders(refused.headers(), '/api/me from another site');
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('forbidden');
    expect(body.error.message).toContain('another site');
    expect(await refused.text()).not.toContain(user.name);

    const stream = await request.get(`/api/deployments/${deploymentId}/logs`, { headers: { origin: EVIL } });
    expect(stream.status()).toBe(403);
    expect(((await stream.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const opaque = await request.get('/api/me', { headers: { origin: 'null' } });
    expect(opaque.status()).toBe(403);

    // The same requests from the panel's own origin, or with no Origin at all (a same-origin GET), go through.
    const same = await request.get('/api/me', { headers: { origin: own } });
    expect(same.status()).toBe(200);
    expect(((await same.json()) as { username: string }).username).toBe(user.name);
    expect((await request.get('/api/me')).status()).toBe(200);
    const ownStream = await user.page.evaluate(async (url) => {
      const abort = new AbortController();
      const response = await fetch(url, { signal: abort.signal });
      abort.abort();
      return response.status;
    }, `/api/deployments/${deploymentId}/logs`);
    expect(ownStream).toBe(200);
  } finally {
    await user.close();
  }
});

test('an env value over 1 MB gets its field message; a body over the 4 MB cap a plain 413, never a 500', async ({
  browser,
}) => {
  const user = await signedInAs(browser, 'developer', 'large');
  try {
    const { page } = user;
    const { appPath } = await seedApplication(user.id);
    await page.goto(`${appPath}/environment`);
    const form = page.getByRole('form', { name: 'Add a variable' });

    // 1.5 MB: above Next.js's default 1 MB body limit, below the cap, so the field's own rule answers.
    await form.getByLabel('Key').fill('LARGE_VALUE');
    await form.getByLabel('Value').fill('x'.repeat(1536 * 1024));
    const large = await captureServerAction(page, async () => {
      await form.getByRole('button', { name: 'Add variable' }).click();
      await expect(form.getByText('A value has at most 64 KB; this one is 1536 KB.')).toBeVisible();
    });
    expect(large.requestBody.length).toBeGreaterThan(1536 * 1024);
    expect(await form.getByLabel('Key').inputValue()).toBe('LARGE_VALUE');

    // Over the cap: the same action's body with a 5 MB value, refused before Next.js reads it.
    const huge = await replayAction(page.request, large, {
      body: forgeBody(large, 'x'.repeat(1536 * 1024), 'y'.repeat(5 * 1024 * 1024)),
    });
    expect(huge.status()).toBe(413);
    const text = await huge.text();
    expect(text).toContain('a form may send at most 4 MB');
    expect(text).not.toMatch(/\bat \S+ \(|node_modules|Error:/);
    expectSafeHeaders(huge.headers(), 'the 413');
    expect(await dbQuery(`SELECT 1 FROM env_vars WHERE key = 'LARGE_VALUE'`)).toEqual([]);
  } finally {
    await user.close();
  }
});
