// The Source and Webhook tabs of a git application in the browser: the webhook URL and its secret (revealed, then regenerated:
// the old one stops verifying real deliveries at once), the webhook settings, a deploy key, the recorded deliveries
// with Redeliver, and "Deploy latest commit" against a local git server. A team viewer sees it all read-only, with
// no secret and no buttons that change anything.
import { randomUUID } from 'node:crypto';

import { expect, test, type Page } from '@playwright/test';

import { aadOf } from '../lib/git-sources/config';
import { startGitServer, type GitTestServer } from '../lib/git/test-server';
import { signBody } from '../lib/webhooks/signature';
import {
  actionIdOf,
  dbQuery,
  decryptForPanel,
  isRsc,
  responsesDuring,
  seedSharedProject,
  signIn,
  type Captured,
} from './support';

let git: GitTestServer;

test.beforeAll(async () => {
  git = await startGitServer();
});

test.afterAll(async () => {
  await git?.stop();
});

/** A shared project (owner and viewer) and a name for the git application. */
async function seed() {
  const seeded = await seedSharedProject('src');
  return { ...seeded, name: `hooked-${seeded.stamp}` };
}

async function createGitApp(page: Page, projectId: string, name: string): Promise<string> {
  await page.goto(`/projects/${projectId}/apps/new`);
  await page.getByLabel(/^Name/).fill(name);
  await page.getByLabel('Git repository').check();
  await page.getByLabel(/^Repository/).fill('acme/api');
  await page.getByLabel(/^Branch/).fill('main');
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.waitForURL(new RegExp(`/projects/${projectId}/apps/[0-9a-f-]{36}$`));
  return page.url().split('/').at(-1)!;
}

/** A GitHub delivery signed with `secret`, as GitHub would send it. */
async function deliver(url: string, secret: string, event: 'ping' | 'push', body: Record<string, unknown>) {
  const bytes = Buffer.from(JSON.stringify(body));
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': randomUUID(),
      ...signBody('github', bytes, secret),
    },
    body: bytes,
  });
  return response.status;
}

const describe = (captured: Captured) =>
  `${captured.method} ${captured.url} (${captured.resourceType}, ${captured.status})`;

/** Each response was really read (200, with a body), and none carries any of `secrets`. */
function expectReadAndWithout(responses: Captured[], secrets: string[]) {
  expect(responses.length).toBeGreaterThan(0);
  for (const response of responses) {
    expect(response.status, describe(response)).toBe(200);
    expect(response.body.length, describe(response)).toBeGreaterThan(0);
    for (const secret of secrets) expect(response.body, describe(response)).not.toContain(secret);
  }
}

/** The one response of `responses` for a document or RSC payload of `path`, which must carry `expected`. */
function pageResponse(responses: Captured[], kind: 'document' | 'rsc', path: string, expected: string): Captured {
  const matching = responses.filter(
    (captured) =>
      new URL(captured.url).pathname === path &&
      (kind === 'document' ? captured.resourceType === 'document' : isRsc(captured)) &&
      captured.body.includes(expected),
  );
  expect(
    matching.length,
    `a ${kind} of ${path} carrying ${expected} among: ${responses.map(describe).join(', ')}`,
  ).toBeGreaterThan(0);
  return matching[0]!;
}

const webhookConfig = async (appId: string) =>
  (
    await dbQuery<{ webhook_config: Record<string, unknown> }>(
      'SELECT webhook_config FROM git_sources WHERE application_id = $1',
      [appId],
    )
  )[0]!.webhook_config;

test('the owner sets up the webhook, secret, settings and a deploy key; a viewer sees it read-only', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  const { projectId, owner, viewer, password, name } = await seed();
  await signIn(page, owner, password);
  const appId = await createGitApp(page, projectId, name);
  // The local git server stands in for GitHub (an address the form would refuse, so it is set in the database).
  await dbQuery(
    `UPDATE applications SET source_config = source_config || jsonb_build_object('repository', $2::text) WHERE id = $1`,
    [appId, git.url],
  );
  await dbQuery('UPDATE git_sources SET repository = $2 WHERE application_id = $1', [appId, git.url]);
  const [{ id: sourceId }] = (await dbQuery<{ id: string }>('SELECT id FROM git_sources WHERE application_id = $1', [
    appId,
  ])) as [{ id: string }];
  const source = `/projects/${projectId}/apps/${appId}/source`;
  const webhook = `/projects/${projectId}/apps/${appId}/webhook`;
  const hookUrl = `${process.env.E2E_BASE_URL}/api/webhooks/github/${sourceId}`;

  // The Webhook tab, reached from the application's tabs (an RSC navigation), then loaded in full: what the
  // owner's browser receives before Reveal is checked below, once the secret is known.
  await page.goto(source);
  const beforeReveal = await responsesDuring(page, async () => {
    await page.getByRole('navigation', { name: 'Application sections' }).getByRole('link', { name: 'Webhook' }).click();
    await expect(page).toHaveURL(new RegExp(`${webhook}$`));
    await expect(page.getByTestId('webhook-url')).toHaveValue(hookUrl);
    await page.reload();
    await expect(page.getByTestId('webhook-url')).toHaveValue(hookUrl);
  });
  await expect(page.getByRole('heading', { name: 'Webhook' }).first()).toBeVisible();
  await expect(page.getByText('Just the push event')).toBeVisible();

  // Reveal: the secret the panel verifies deliveries with.
  await expect(page.getByLabel('Webhook secret hidden')).toBeVisible();
  await page.getByRole('button', { name: 'Reveal', exact: true }).click();
  const first = await page.getByTestId('webhook-secret').inputValue();
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  // The real page came in both ways (it names the hook URL), and neither carried the secret.
  pageResponse(beforeReveal, 'rsc', webhook, sourceId);
  pageResponse(beforeReveal, 'document', webhook, hookUrl);
  expectReadAndWithout(beforeReveal, [first]);
  expect(await deliver(hookUrl, first, 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).toBe(200);

  // Regenerate, after a confirmation that says what stops working.
  await page.getByRole('button', { name: 'Regenerate secret' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm regenerating the webhook secret' });
  await expect(confirm).toContainText('stops working at once');
  await confirm.getByRole('button', { name: 'Yes, regenerate' }).click();
  await expect(page.getByText('New secret generated')).toBeVisible();
  const second = await page.getByTestId('webhook-secret').inputValue();
  expect(second).toMatch(/^[0-9a-f]{64}$/);
  expect(second).not.toBe(first);
  expect(await deliver(hookUrl, first, 'ping', { zen: 'old' })).toBe(401);
  expect(await deliver(hookUrl, second, 'ping', { zen: 'new' })).toBe(200);
  expect(JSON.stringify(await webhookConfig(appId))).not.toContain(second);

  // Settings: a hostile branch is refused beside its field; a good one is stored.
  const branch = page.getByRole('textbox', { name: 'Watched branch' });
  await branch.fill('main;id');
  await page.getByRole('button', { name: 'Save webhook settings' }).click();
  await expect(page.locator('#watchedBranch-error')).toContainText('characters a branch name cannot use');
  await page.getByRole('textbox', { name: 'Watched branch' }).fill('release');
  await page.getByLabel('Deploy tag pushes').check();
  await page.getByRole('button', { name: 'Save webhook settings' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Webhook settings saved' })).toBeVisible();
  await expect.poll(async () => (await webhookConfig(appId)).branch).toBe('release');
  expect(await webhookConfig(appId)).toMatchObject({ auto_deploy: true, deploy_tags: true });

  // A push to another branch is recorded as ignored; Redeliver processes it again (and still ignores it).
  const sha = await git.commit({ 'other.txt': 'x\n' }, 'other work', 'other');
  const push = {
    ref: 'refs/heads/other',
    before: '0'.repeat(40),
    after: sha,
    deleted: false,
    head_commit: { id: sha, message: 'other work', timestamp: '2026-11-28T10:00:00Z', author: { name: 'Ada' } },
    commits: [],
  };
  expect(await deliver(hookUrl, second, 'push', push)).toBe(202);
  const deliveries = page.getByTestId('delivery');
  // Shown once: a new load of the tab carries neither secret.
  const reloaded = await responsesDuring(page, async () => {
    await page.reload();
    await expect(deliveries).toHaveCount(4);
  });
  pageResponse(reloaded, 'document', webhook, hookUrl);
  expectReadAndWithout(reloaded, [first, second]);
  await expect(deliveries.first()).toContainText('push to other: this application deploys release');
  await expect(page.getByTestId('delivery').filter({ hasText: 'rejected' })).toHaveCount(1);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: `Redeliver the push of ${sha.slice(0, 12)}` }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Redelivered, nothing deployed' })).toBeVisible();
  await expect(page.getByTestId('delivery').filter({ hasText: 'redelivered from the panel' })).toHaveCount(1);

  // A deploy key (Source tab): generated here, its public half shown, its private half stored encrypted and never
  // in a page: not in the answer of the action that made it, nor in the page loaded afterwards.
  await page.goto(source);
  const keyed = await responsesDuring(page, async () => {
    await page.getByRole('button', { name: 'Generate deploy key' }).click();
    await expect(page.getByRole('textbox', { name: 'Public key' })).toHaveValue(/^ssh-ed25519 AAAA\S+ slipway-hooked-/);
    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Public key' })).toHaveValue(/^ssh-ed25519 /);
  });
  await expect(page.getByText('read-only deploy key').first()).toBeVisible();
  const stored = await webhookConfig(appId);
  expect(String(stored.deploy_key)).not.toContain('PRIVATE KEY');
  const publicKey = await page.getByRole('textbox', { name: 'Public key' }).inputValue();
  expect(stored.deploy_key_public).toBe(publicKey);
  const privateKey = await decryptForPanel(String(stored.deploy_key), aadOf('deploy_key'));
  expect(privateKey).toContain('PRIVATE KEY');
  // Any line of the key's body would give it away, whatever escaping a payload applies to line breaks.
  const privateLines = privateKey.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
  expect(privateLines.length).toBeGreaterThan(0);
  expect(keyed.filter(actionIdOf).map(describe)).toHaveLength(1);
  pageResponse(keyed, 'document', source, publicKey.split(' ')[1]!);
  expectReadAndWithout(keyed, ['PRIVATE KEY', ...privateLines]);
  await page.getByRole('button', { name: 'Remove deploy key' }).click();
  await page
    .getByRole('group', { name: 'Confirm removing the deploy key' })
    .getByRole('button', { name: 'Yes, remove' })
    .click();
  await expect(page.getByText('None: the repository is fetched without credentials')).toBeVisible();

  // Deploy latest commit: a missing watched branch is said plainly; the source's branch head is queued.
  await page.getByRole('button', { name: 'Deploy latest commit' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The branch “release” does not exist' })).toContainText(
    'Branches:',
  );
  await page.goto(webhook);
  await page.getByRole('textbox', { name: 'Watched branch' }).fill('');
  await page.getByRole('button', { name: 'Save webhook settings' }).click();
  await expect.poll(async () => (await webhookConfig(appId)).branch ?? null).toBeNull();
  await page.goto(source);
  const head = (await git.commit({ 'main.txt': 'y\n' }, 'main work')).slice(0, 12);
  await page.getByRole('button', { name: 'Deploy latest commit' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: `Deployment of ${head}` })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open the deployment' })).toHaveAttribute(
    'href',
    new RegExp(`/apps/${appId}/deployments/[0-9a-f-]{36}$`),
  );

  // The viewer: the URL and the settings, no secret, no buttons that change anything.
  const viewerContext = await browser.newContext();
  try {
    const viewerPage = await viewerContext.newPage();
    await signIn(viewerPage, viewer, password);
    const viewed = await responsesDuring(viewerPage, async () => {
      await viewerPage.goto(webhook);
      await expect(viewerPage.getByTestId('webhook-url')).toHaveValue(hookUrl);
    });
    // The real page (it names the hook URL), and no secret in anything the viewer received.
    pageResponse(viewed, 'document', webhook, hookUrl);
    expectReadAndWithout(viewed, [first, second]);
    await expect(viewerPage.getByLabel('Webhook secret hidden')).toBeVisible();
    for (const button of [
      'Reveal',
      'Regenerate secret',
      'Save webhook settings',
      'Generate deploy key',
      'Use an access token',
      'Deploy latest commit',
    ]) {
      await expect(viewerPage.getByRole('button', { name: button, exact: true })).toHaveCount(0);
    }
    await expect(viewerPage.getByRole('button', { name: /^Redeliver/ })).toHaveCount(0);
    await expect(viewerPage.getByTestId('delivery').first()).toBeVisible();
    await viewerPage.goto(source);
    for (const button of ['Generate deploy key', 'Use an access token', 'Deploy latest commit']) {
      await expect(viewerPage.getByRole('button', { name: button, exact: true })).toHaveCount(0);
    }
  } finally {
    await viewerContext.close();
  }
});
