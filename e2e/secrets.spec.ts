// Secrets are write-only: a value planted through the Environment tab is stored encrypted and never comes back in
// the page's HTML, its RSC payloads or the responses of the actions that saved it; only Reveal (the owner) and the
// export (for those allowed) return it. A team viewer sees keys, masks and plain values, read-only.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page, type Response } from '@playwright/test';
import { createUser, dbQuery, signIn } from './support';

const stamp = randomBytes(4).toString('hex');
const password = `pw-secrets-${stamp}-long`;
const owner = `envowner_${stamp}`;
const viewer = `envviewer_${stamp}`;
const SECRET = `planted-${randomBytes(12).toString('hex')}`;
const KEY = 'PLANTED_SECRET';
let projectId = '';
let appId = '';
const envPage = () => `/projects/${projectId}/apps/${appId}/environment`;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const ownerId = await createUser(owner, 'developer', password);
  const viewerId = await createUser(viewer, 'developer', password);
  const [team] = await dbQuery<{ id: string }>('INSERT INTO teams (name) VALUES ($1) RETURNING id', [`Secrets ${stamp}`]);
  await dbQuery(`INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, 'owner'), ($1, $3, 'viewer')`, [team!.id, ownerId, viewerId]);
  const [project] = await dbQuery<{ id: string }>('INSERT INTO projects (name, owner_id, team_id) VALUES ($1, $2, $3) RETURNING id', [
    `secrets-${stamp}`,
    ownerId,
    team!.id,
  ]);
  projectId = project!.id;
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type) VALUES ($1, 'vault', 'docker', 'docker') RETURNING id`,
    [projectId],
  );
  appId = app!.id;
});

/** Every response body the page receives while `work` runs (documents, RSC payloads, action results). */
async function bodiesDuring(page: Page, work: () => Promise<void>): Promise<string[]> {
  const pending: Promise<string>[] = [];
  const collect = (response: Response) => {
    pending.push(response.text().catch(() => ''));
  };
  page.on('response', collect);
  try {
    await work();
  } finally {
    page.off('response', collect);
  }
  return Promise.all(pending);
}

const row = (page: Page, key: string) => page.locator('tr', { has: page.getByRole('rowheader', { name: key, exact: true }) });

test('a secret saved in the form is masked everywhere the page sends, and revealed only on request', async ({ page }) => {
  await signIn(page, owner, password);
  await page.goto(envPage());
  await expect(page.getByRole('heading', { name: 'Environment variables (0)' })).toBeVisible();

  const saved = await bodiesDuring(page, async () => {
    const form = page.getByRole('form', { name: 'Add a variable' });
    await form.getByLabel('Key').fill(KEY);
    await form.getByLabel('Value').fill(SECRET);
    await form.getByLabel(/^Secret/).check();
    await form.getByRole('button', { name: 'Add variable' }).click();
    await expect(page.getByTestId('toast')).toHaveText(`${KEY} added as a secret.`);
    await expect(row(page, KEY).getByLabel('Secret value hidden')).toHaveText('••••••••');
  });
  // The save's response carries the refreshed page (so the bodies were really read), without the value.
  expect(saved.some((body) => body.includes(KEY))).toBe(true);
  for (const body of saved) expect(body).not.toContain(SECRET);

  const [stored] = await dbQuery<{ value: string; is_secret: boolean }>('SELECT value, is_secret FROM env_vars WHERE application_id = $1', [appId]);
  expect(stored!.is_secret).toBe(true);
  expect(stored!.value).toMatch(/^enc:v1:\d+:/);
  const [mirror] = await dbQuery<{ env_vars: Record<string, string> }>('SELECT env_vars FROM applications WHERE id = $1', [appId]);
  expect(mirror!.env_vars).toEqual({});

  // A full load and a client-side navigation back to the tab (an RSC fetch) carry the key but not the value.
  const loaded = await bodiesDuring(page, async () => {
    await page.reload();
    await expect(row(page, KEY)).toBeVisible();
    await page.getByRole('link', { name: 'General', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.endsWith('/environment'));
    await page.getByRole('link', { name: 'Environment', exact: true }).click();
    await expect(row(page, KEY).getByLabel('Secret value hidden')).toBeVisible();
  });
  expect(loaded.some((body) => body.includes(KEY))).toBe(true);
  for (const body of loaded) expect(body).not.toContain(SECRET);
  expect(await page.content()).not.toContain(SECRET);

  const variants: Record<string, string>[] = [{}, { RSC: '1' }];
  for (const headers of variants) {
    const response = await page.request.get(envPage(), { headers });
    expect(response.status()).toBe(200);
    const body = await response.text();
    expect(body).toContain(KEY);
    expect(body).not.toContain(SECRET);
  }

  await row(page, KEY).getByRole('button', { name: `Reveal ${KEY}` }).click();
  await expect(row(page, KEY).getByTestId('revealed-value')).toHaveText(SECRET);
  const reveals = await dbQuery<{ details: unknown }>(
    `SELECT details FROM audit_logs WHERE resource_id = $1 AND action = 'env.reveal'`,
    [appId],
  );
  expect(reveals.map((r) => r.details)).toEqual([{ key: KEY }]);
  await row(page, KEY).getByRole('button', { name: `Hide ${KEY}` }).click();
  await expect(row(page, KEY).getByLabel('Secret value hidden')).toBeVisible();

  const exported = await page.request.get(`/api/applications/${appId}/env`);
  expect(exported.headers()['cache-control']).toBe('no-store');
  expect(await exported.text()).toContain(`${KEY}=${SECRET}`);
});

test('a bulk paste with one bad line saves nothing and names the line; fixed, it saves', async ({ page }) => {
  await signIn(page, owner, password);
  await page.goto(envPage());
  const form = page.getByRole('form', { name: 'Bulk edit' });
  const pasted = '# pasted from .env.example\nexport NODE_ENV=production\nbad-key=1\nGREETING="hello\nworld"\n';
  await form.getByLabel('.env text').fill(pasted);
  await form.getByRole('button', { name: 'Save all' }).click();
  const problems = form.getByRole('alert', { name: 'Lines to fix' });
  await expect(problems).toContainText('Line 3:');
  await expect(problems).toContainText('Did you mean BAD_KEY?');
  await expect(form.getByText('Nothing was saved: 1 line needs fixing.')).toBeVisible();
  await expect(form.getByLabel('.env text')).toHaveValue(pasted);
  expect(await dbQuery('SELECT key FROM env_vars WHERE application_id = $1 AND NOT is_secret', [appId])).toEqual([]);

  await form.getByLabel('.env text').fill(pasted.replace('bad-key', 'BAD_KEY'));
  await form.getByRole('button', { name: 'Save all' }).click();
  await expect(page.getByTestId('toast')).toContainText('Saved: 3 added');
  await expect(row(page, 'GREETING')).toContainText('hello\nworld');
  await expect(row(page, KEY).getByLabel('Secret value hidden')).toBeVisible();
});

test('a team viewer sees keys and masks read-only, cannot reveal, and the export leaves the secret out', async ({ page, playwright, baseURL }) => {
  await signIn(page, viewer, password);
  await page.goto(envPage());
  await expect(row(page, KEY).getByLabel('Secret value hidden')).toHaveText('••••••••');
  await expect(row(page, 'NODE_ENV')).toContainText('production');
  await expect(page.getByRole('button', { name: `Reveal ${KEY}` })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Edit|Delete) / })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Add a variable' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Bulk edit' })).toHaveCount(0);
  expect(await page.content()).not.toContain(SECRET);

  const exported = await page.request.get(`/api/applications/${appId}/env`);
  expect(exported.status()).toBe(200);
  expect(exported.headers()['content-type']).toMatch(/^text\/plain/);
  expect(exported.headers()['content-disposition']).toBe('attachment; filename="vault.env"');
  const text = await exported.text();
  expect(text).toContain(`# ${KEY}=<secret: ask an admin>`);
  expect(text).toContain('NODE_ENV=production');
  expect(text).not.toContain(SECRET);

  const anonymous = await playwright.request.newContext({ baseURL });
  try {
    expect((await anonymous.get(`/api/applications/${appId}/env`)).status()).toBe(401);
  } finally {
    await anonymous.dispose();
  }
});

test("another tenant gets 404 for the page and the export, as if the application did not exist", async ({ page }) => {
  const stranger = `envstranger_${stamp}`;
  await createUser(stranger, 'developer', password);
  await signIn(page, stranger, password);
  expect((await page.request.get(`/api/applications/${appId}/env`)).status()).toBe(404);
  expect((await page.request.get(envPage())).status()).toBe(404);
});
