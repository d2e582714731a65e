// Secrets are write-only: a value planted through the Environment tab is stored encrypted and never comes back in
// the page's HTML, its RSC payloads or the responses of the actions that saved it; only Reveal (the owner) and the
// export (for those allowed) return it. A team viewer sees keys, masks and plain values, read-only; another tenant
// gets nothing, not even through a forged call. Each test seeds its own users, project and application.
import { randomBytes } from 'node:crypto';

import { expect, test, type Page } from '@playwright/test';

import { ENV_VALUE_AAD } from '../lib/env-vars/secret-values';
import {
  actionIdOf,
  captureServerAction,
  createUser,
  dbQuery,
  encryptForPanel,
  forgeBody,
  isRsc,
  replayAction,
  responsesDuring,
  signIn,
  uniqueStamp,
  type Captured,
} from './support';

const KEY = 'PLANTED_SECRET';

type Vault = {
  stamp: string;
  password: string;
  owner: string;
  viewer: string;
  projectId: string;
  appId: string;
  secret: string;
  envPage: string;
};

/** A developer owning application `vault` in a team project with a viewer; optionally KEY already stored (encrypted) and plain variables. */
async function seedVault({
  withSecret = false,
  plain = {},
}: { withSecret?: boolean; plain?: Record<string, string> } = {}): Promise<Vault> {
  const stamp = uniqueStamp();
  const password = `pw-secrets-${stamp}-long`;
  const owner = `envowner_${stamp}`;
  const viewer = `envviewer_${stamp}`;
  const secret = `planted-${randomBytes(12).toString('hex')}`;
  const ownerId = await createUser(owner, 'developer', password);
  const viewerId = await createUser(viewer, 'developer', password);
  // One statement: a new team must have its owner by the end of the transaction that creates it.
  const [project] = await dbQuery<{ id: string }>(
    `WITH t AS (INSERT INTO teams (name) VALUES ($1) RETURNING id),
          m AS (INSERT INTO team_members (team_id, user_id, role)
                SELECT id, $2::uuid, 'owner' FROM t UNION ALL SELECT id, $3::uuid, 'viewer' FROM t)
     INSERT INTO projects (name, owner_id, team_id) SELECT $4, $2::uuid, id FROM t RETURNING id`,
    [`Secrets ${stamp}`, ownerId, viewerId, `secrets-${stamp}`],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type) VALUES ($1, 'vault', 'docker', 'docker') RETURNING id`,
    [project!.id],
  );
  const appId = app!.id;
  if (withSecret) {
    await dbQuery('INSERT INTO env_vars (application_id, key, value, is_secret) VALUES ($1, $2, $3, true)', [
      appId,
      KEY,
      await encryptForPanel(secret, ENV_VALUE_AAD),
    ]);
  }
  for (const [key, value] of Object.entries(plain)) {
    await dbQuery('INSERT INTO env_vars (application_id, key, value) VALUES ($1, $2, $3)', [appId, key, value]);
  }
  return {
    stamp,
    password,
    owner,
    viewer,
    projectId: project!.id,
    appId,
    secret,
    envPage: `/projects/${project!.id}/apps/${appId}/environment`,
  };
}

const row = (page: Page, key: string) =>
  page.locator('tr', { has: page.getByRole('rowheader', { name: key, exact: true }) });
const pathOf = (captured: Captured) => new URL(captured.url).pathname;
const describe = (captured: Captured) =>
  `${captured.method} ${captured.url} (${captured.resourceType}, ${captured.status})`;

/** Every response was really read (a 200 with a body), and none carries the secret. */
function expectReadAndClean(responses: Captured[], secret: string) {
  expect(responses.length).toBeGreaterThan(0);
  for (const response of responses) {
    expect(response.status, describe(response)).toBe(200);
    expect(response.body.length, describe(response)).toBeGreaterThan(0);
    expect(response.body, describe(response)).not.toContain(secret);
  }
}

test('a secret saved in the form is masked everywhere the page sends, and revealed only on request', async ({
  page,
}) => {
  const { owner, password, appId, secret, envPage } = await seedVault();
  await signIn(page, owner, password);
  await page.goto(envPage);
  await expect(page.getByRole('heading', { name: 'Environment variables (0)' })).toBeVisible();

  const saved = await responsesDuring(page, async () => {
    const form = page.getByRole('form', { name: 'Add a variable' });
    await form.getByLabel('Key').fill(KEY);
    await form.getByLabel('Value').fill(secret);
    await form.getByLabel(/^Secret/).check();
    await form.getByRole('button', { name: 'Add variable' }).click();
    await expect(page.getByTestId('toast')).toHaveText(`${KEY} added as a secret.`);
    await expect(row(page, KEY).getByLabel('Secret value hidden')).toHaveText('••••••••');
  });
  // Exactly one action was sent, carrying the value; its answer (the message and the refreshed page) does not.
  const actions = saved.filter(actionIdOf);
  expect(actions.map(describe)).toHaveLength(1);
  expect(actions[0]!.requestBody.toString('utf8')).toContain(secret);
  expect(actions[0]!.body).toContain(`${KEY} added as a secret.`);
  expectReadAndClean(saved, secret);

  const [stored] = await dbQuery<{ value: string; is_secret: boolean }>(
    'SELECT value, is_secret FROM env_vars WHERE application_id = $1',
    [appId],
  );
  expect(stored!.is_secret).toBe(true);
  expect(stored!.value).toMatch(/^enc:v1:\d+:/);
  const [mirror] = await dbQuery<{ env_vars: Record<string, string> }>(
    'SELECT env_vars FROM applications WHERE id = $1',
    [appId],
  );
  expect(mirror!.env_vars).toEqual({});

  // A full load and a client-side navigation back to the tab (an RSC fetch) carry the key but not the value.
  const loaded = await responsesDuring(page, async () => {
    await page.reload();
    await expect(row(page, KEY)).toBeVisible();
    await page.getByRole('link', { name: 'General', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.endsWith('/environment'));
    await page.getByRole('link', { name: 'Environment', exact: true }).click();
    await expect(row(page, KEY).getByLabel('Secret value hidden')).toBeVisible();
  });
  const documents = loaded.filter((captured) => captured.resourceType === 'document' && pathOf(captured) === envPage);
  expect(documents.map(describe)).toHaveLength(1);
  expect(documents[0]!.body).toContain(KEY);
  const navigations = loaded.filter(
    (captured) => isRsc(captured) && pathOf(captured) === envPage && captured.body.includes(KEY),
  );
  expect(navigations.length, `an RSC payload of the tab among: ${loaded.map(describe).join(', ')}`).toBeGreaterThan(0);
  expectReadAndClean(loaded, secret);
  const html = await page.content();
  expect(html).toContain(KEY);
  expect(html).not.toContain(secret);

  const variants: Record<string, string>[] = [{}, { RSC: '1' }];
  for (const headers of variants) {
    const response = await page.request.get(envPage, { headers });
    expect(response.status()).toBe(200);
    const body = await response.text();
    expect(body).toContain(KEY);
    expect(body).not.toContain(secret);
  }

  await row(page, KEY)
    .getByRole('button', { name: `Reveal ${KEY}` })
    .click();
  await expect(row(page, KEY).getByTestId('revealed-value')).toHaveText(secret);
  const reveals = await dbQuery<{ details: unknown }>(
    `SELECT details FROM audit_logs WHERE resource_id = $1 AND action = 'env.reveal'`,
    [appId],
  );
  expect(reveals.map((r) => r.details)).toEqual([{ key: KEY }]);
  await row(page, KEY)
    .getByRole('button', { name: `Hide ${KEY}` })
    .click();
  await expect(row(page, KEY).getByLabel('Secret value hidden')).toBeVisible();

  const exported = await page.request.get(`/api/applications/${appId}/env`);
  expect(exported.headers()['cache-control']).toBe('no-store');
  expect(await exported.text()).toContain(`${KEY}=${secret}`);
});

test('a bulk paste with one bad line saves nothing and names the line; fixed, it saves', async ({ page }) => {
  const { owner, password, appId, envPage } = await seedVault({ withSecret: true });
  await signIn(page, owner, password);
  await page.goto(envPage);
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
  // The secret that was already there is untouched by a paste that does not name it.
  await expect(row(page, KEY).getByLabel('Secret value hidden')).toBeVisible();
  const keys = await dbQuery<{ key: string }>('SELECT key FROM env_vars WHERE application_id = $1 ORDER BY key', [
    appId,
  ]);
  expect(keys.map((r) => r.key)).toEqual(['BAD_KEY', 'GREETING', 'NODE_ENV', KEY]);
});

test('a team viewer sees keys and masks read-only, cannot reveal, and the export leaves the secret out', async ({
  page,
  playwright,
  baseURL,
}) => {
  const { viewer, password, appId, secret, envPage } = await seedVault({
    withSecret: true,
    plain: { NODE_ENV: 'production' },
  });
  await signIn(page, viewer, password);
  const loaded = await responsesDuring(page, async () => {
    await page.goto(envPage);
    await expect(row(page, KEY).getByLabel('Secret value hidden')).toHaveText('••••••••');
  });
  const documents = loaded.filter((captured) => captured.resourceType === 'document' && pathOf(captured) === envPage);
  expect(documents.map(describe)).toHaveLength(1);
  expect(documents[0]!.body).toContain(KEY);
  expectReadAndClean(loaded, secret);
  await expect(row(page, 'NODE_ENV')).toContainText('production');
  await expect(page.getByRole('button', { name: `Reveal ${KEY}` })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Edit|Delete) / })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Add a variable' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Bulk edit' })).toHaveCount(0);
  const html = await page.content();
  expect(html).toContain(KEY);
  expect(html).not.toContain(secret);

  const exported = await page.request.get(`/api/applications/${appId}/env`);
  expect(exported.status()).toBe(200);
  expect(exported.headers()['content-type']).toMatch(/^text\/plain/);
  expect(exported.headers()['content-disposition']).toBe('attachment; filename="vault.env"');
  const text = await exported.text();
  expect(text).toContain(`# ${KEY}=<secret: ask an admin>`);
  expect(text).toContain('NODE_ENV=production');
  expect(text).not.toContain(secret);

  const anonymous = await playwright.request.newContext({ baseURL });
  try {
    expect((await anonymous.get(`/api/applications/${appId}/env`)).status()).toBe(401);
  } finally {
    await anonymous.dispose();
  }
});

test('another tenant gets 404 for the page and the export, and a forged save with the foreign application id is refused', async ({
  page,
  browser,
}) => {
  const { owner, password, appId, envPage, stamp } = await seedVault({ withSecret: true });
  // The owner's own save: the request the stranger will imitate.
  await signIn(page, owner, password);
  await page.goto(envPage);
  const form = page.getByRole('form', { name: 'Add a variable' });
  const action = await captureServerAction(page, async () => {
    await form.getByLabel('Key').fill('OWNER_SET');
    await form.getByLabel('Value').fill('by-the-owner');
    await form.getByRole('button', { name: 'Add variable' }).click();
    await expect(page.getByTestId('toast')).toHaveText('OWNER_SET added as a variable.');
  });
  expect(action.requestBody.toString('latin1')).toContain(appId);
  const keys = async () =>
    (await dbQuery<{ key: string }>('SELECT key FROM env_vars WHERE application_id = $1 ORDER BY key', [appId])).map(
      (r) => r.key,
    );
  expect(await keys()).toEqual(['OWNER_SET', KEY]);

  const stranger = `envstranger_${stamp}`;
  const strangerId = await createUser(stranger, 'developer', password);
  const strangerContext = await browser.newContext();
  try {
    const strangerPage = await strangerContext.newPage();
    await signIn(strangerPage, stranger, password);
    expect((await strangerPage.request.get(`/api/applications/${appId}/env`)).status()).toBe(404);
    expect((await strangerPage.request.get(envPage)).status()).toBe(404);

    // Over HTTP, with the stranger's session: the owner's request, naming another key.
    const denials = async () =>
      dbQuery<{ id: string; resource_type: string; details: { action: string } }>(
        `SELECT id::text, resource_type, details FROM audit_logs WHERE action = 'authz.denied' AND user_id = $1 AND resource_id = $2 ORDER BY id`,
        [strangerId, appId],
      );
    const before = (await denials()).map((row) => row.id);
    const forgedBody = forgeBody(action, 'OWNER_SET', 'FORGED_SET');
    const forged = await replayAction(strangerPage.request, action, { body: forgedBody });
    expect(forged.status()).toBe(200);
    expect(await forged.text()).toContain('This application does not exist, or you do not have access to it.');
    expect(await keys()).toEqual(['OWNER_SET', KEY]);
    // Exactly one new refusal, on this application, for the write.
    const added = (await denials()).filter((row) => !before.includes(row.id));
    expect(added.map(({ resource_type, details }) => ({ resource_type, details }))).toEqual([
      { resource_type: 'application', details: { action: 'env.write' } },
    ]);
  } finally {
    await strangerContext.close();
  }

  // Control: the same forged body from the owner's session goes through, so the refusal above was about who sent it.
  const control = await replayAction(page.request, action, { body: forgeBody(action, 'OWNER_SET', 'FORGED_SET') });
  expect(control.status()).toBe(200);
  expect(await control.text()).toContain('FORGED_SET added as a variable.');
  expect(await keys()).toEqual(['FORGED_SET', 'OWNER_SET', KEY]);
});
