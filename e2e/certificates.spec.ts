// Certificates in the browser: a developer uploads a custom certificate on a domain's page (a key of another
// certificate refused beside its field, the chain kept and the key not), sees its issuer and expiry, and removes it;
// an administrator sets the ACME CA and the Cloudflare token, which the page then only says is set, and the panel's
// own domain (a wildcard or a name a project holds refused beside the field).
import { expect, test } from '@playwright/test';

import { makeTestPki, type TestPki } from '../lib/certificates/testing';
import { createUser, dbQuery, signedInAs, signIn, uniqueStamp } from './support';

let pki: TestPki;
test.beforeAll(async () => {
  pki = await makeTestPki();
});
test.afterAll(() => pki?.cleanup());

async function seed(stamp: string) {
  const password = `pw-certs-${stamp}-x`;
  const owner = `cert_${stamp}`;
  const ownerId = await createUser(owner, 'developer', password);
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
    [`certs-${stamp}`, ownerId],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type) VALUES ($1, 'web', 'git', 'github') RETURNING id`,
    [project!.id],
  );
  const name = `shop-${stamp}.example.test`.toLowerCase();
  const [domain] = await dbQuery<{ id: string }>(
    `INSERT INTO domains (project_id, domain, target_type, target_id) VALUES ($1, $2, 'application', $3) RETURNING id`,
    [project!.id, name, app!.id],
  );
  return {
    owner,
    password,
    name,
    url: `/projects/${project!.id}/apps/${app!.id}/domains/${domain!.id}`,
    id: domain!.id,
  };
}

test('a developer uploads a custom certificate, sees its issuer and expiry, and removes it', async ({ page }) => {
  const stamp = uniqueStamp();
  const { owner, password, name, url, id } = await seed(stamp);
  const leaf = await pki.leaf([name], { days: 30 });
  const stranger = await pki.leaf([name]);
  await signIn(page, owner, password);
  await page.goto(url);
  await expect(page.getByTestId('no-certificate')).toBeVisible();

  const chain = page.getByLabel('Certificate chain (PEM)');
  const key = page.getByLabel('Private key (PEM)');
  await chain.fill(leaf.cert + pki.intermediate.cert);
  await key.fill(stranger.key);
  await page.getByRole('button', { name: 'Upload certificate' }).click();
  await expect(page.getByText('This private key does not belong to the first certificate')).toBeVisible();
  await expect(chain).toHaveValue(leaf.cert + pki.intermediate.cert);
  await expect(key).toHaveValue('');
  expect(await dbQuery('SELECT 1 FROM certificates WHERE domain_id = $1', [id])).toHaveLength(0);

  await key.fill(leaf.key);
  await page.getByRole('button', { name: 'Upload certificate' }).click();
  await expect(page.getByTestId('certificate-issuer')).toHaveText('Slipway Test Intermediate');
  await expect(page.getByTestId('certificate-expiry')).toContainText(/(29|30) days left/);
  await expect(page.getByText(/^Uploaded: /)).toBeVisible();
  const [row] = await dbQuery<{ private_key: string; source: string }>(
    'SELECT private_key, source FROM certificates WHERE domain_id = $1',
    [id],
  );
  expect(row).toMatchObject({ source: 'custom', private_key: expect.stringMatching(/^enc:v1:/) });
  expect(await page.content()).not.toContain('PRIVATE KEY-----\nMI');

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Remove uploaded certificate' }).click();
  await expect(page.getByTestId('no-certificate')).toBeVisible();
});

test('an administrator chooses a custom ACME directory and sets the Cloudflare token, shown only as set', async ({
  browser,
}) => {
  const admin = await signedInAs(browser, 'admin', 'certs');
  const { page } = admin;
  try {
    await page.goto('/settings/certificates');
    await page.getByLabel('Certificate authority').selectOption('custom');
    await page.getByLabel('ACME directory URL').fill('http://acme.example.test/directory');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('The directory URL must start with https://')).toBeVisible();

    const token = `e2eToken_${uniqueStamp()}_abcdefghijklmnop`;
    await page.getByLabel('ACME directory URL').fill('https://acme.example.test/directory');
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('cloudflare-token-state')).toHaveText('A token is set.');
    await expect(page.getByLabel('Replace the token')).toHaveValue('');
    expect(await page.content()).not.toContain(token);
    const [row] = await dbQuery<{ cloudflare_token: string; acme_ca: string }>(
      'SELECT cloudflare_token, acme_ca FROM panel_settings WHERE id',
    );
    expect(row).toMatchObject({ acme_ca: 'custom', cloudflare_token: expect.stringMatching(/^enc:v1:/) });
  } finally {
    // The settings are the panel's own: put them back for every other spec.
    await dbQuery(
      "UPDATE panel_settings SET acme_ca = 'letsencrypt', acme_directory_url = '', cloudflare_token = '' WHERE id",
    );
    await admin.close();
  }
});

test("an administrator sets the panel's own domain: a wildcard and a project's domain are refused beside the field", async ({
  browser,
}) => {
  const stamp = uniqueStamp();
  const { name: taken } = await seed(stamp);
  const admin = await signedInAs(browser, 'admin', 'certs');
  const { page } = admin;
  try {
    await page.goto('/settings/certificates');
    const field = page.getByLabel('Panel domain');
    await field.fill('*.example.test');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('The panel domain is one name, not a wildcard')).toBeVisible();

    await field.fill(taken);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText(`${taken} is already a domain of a project on this server`)).toBeVisible();
    await expect(field).toHaveValue(taken);

    const panel = `Panel-${stamp}.Example.Test.`;
    await field.fill(panel);
    await page.getByRole('button', { name: 'Save' }).click();
    const stored = `panel-${stamp}.example.test`.toLowerCase();
    await expect(page.getByText(`the proxy serves the panel at https://${stored}`)).toBeVisible();
    await expect(field).toHaveValue(stored);
    const [row] = await dbQuery<{ panel_domain: string }>('SELECT panel_domain FROM panel_settings WHERE id');
    expect(row?.panel_domain).toBe(stored);
  } finally {
    await dbQuery("UPDATE panel_settings SET panel_domain = '' WHERE id");
    await admin.close();
  }
});
