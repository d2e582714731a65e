// A domain served through the edge proxy, end to end: a git application deployed from the browser, a domain added on
// its Domains tab, its status turning to serving once the panel's reconciler loaded it into the slipway-proxy Caddy
// service (e2e/global-setup.ts runs it on free host ports), the application opened over HTTPS at that name in
// Chromium (--host-resolver-rules sends the name to 127.0.0.1), plain HTTP answered with a redirect to HTTPS, and the
// certificate Caddy issued (its internal issuer here) shown on the domain's page with its issuer and expiry.
import tls from 'node:tls';

import { chromium, expect, test, type Page } from '@playwright/test';
import Docker from 'dockerode';

import { startGitServer, type GitTestServer } from '../lib/git/test-server';
import { networkName } from '../lib/swarm/names';
import { cleanupApps, httpAppDockerfile } from '../lib/swarm/test-support';
import { chromiumLaunchOptions } from './chromium';
import { createUser, dbQuery, seedDeployableApp, signIn, uniqueStamp } from './support';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const httpPort = Number(process.env.E2E_PROXY_HTTP_PORT);
const httpsPort = Number(process.env.E2E_PROXY_HTTPS_PORT);
let git: GitTestServer;
const deployed: { id: string; projectId: string }[] = [];

test.beforeAll(async () => {
  git = await startGitServer();
  await git.commit({ Dockerfile: httpAppDockerfile('served-through-the-proxy') });
  // Certificates from Caddy's own CA: no ACME directory is reachable from here.
  await dbQuery("UPDATE panel_settings SET acme_ca = 'internal'");
});

/** Resolves once the slipway-proxy service is attached to none of `projectIds`' networks. */
async function proxyDetached(projectIds: string[]) {
  const names = projectIds.map(networkName);
  const ids = (await docker.listNetworks()).filter((network) => names.includes(network.Name)).map((n) => n.Id);
  await expect
    .poll(
      async () => {
        const [service] = await docker.listServices({ filters: { name: ['slipway-proxy'] } });
        const attached = (service?.Spec?.TaskTemplate as { Networks?: { Target: string }[] } | undefined)?.Networks;
        return (attached ?? []).filter((network) => ids.includes(network.Target) || names.includes(network.Target));
      },
      { timeout: 60_000, message: 'the proxy leaves the networks of projects with no routes' },
    )
    .toEqual([]);
}

test.afterAll(async () => {
  try {
    // The proxy leaves a project's network once nothing in it is routed; only then can the network go.
    const projectIds = deployed.map((app) => app.projectId);
    await dbQuery('DELETE FROM domains WHERE project_id = ANY($1::uuid[])', [projectIds]);
    await dbQuery("SELECT pg_notify('slipway_proxy_sync', 'e2e cleanup')");
    await proxyDetached(projectIds);
    await cleanupApps(docker, deployed);
  } finally {
    await git?.stop();
  }
});

/** The issuer's common name of the certificate the proxy presents for `servername`. */
function presentedIssuer(servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: httpsPort, servername, rejectUnauthorized: false }, () => {
      const name = socket.getPeerCertificate().issuer?.CN ?? '';
      const issuer = Array.isArray(name) ? name.join(', ') : name;
      socket.end();
      resolve(issuer);
    });
    socket.once('error', reject);
  });
}

/** Reloads the page until `check` passes: the page is rendered on the server and shows the state of its request. */
async function untilShown(page: Page, check: () => Promise<void>, timeout: number) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout, intervals: [500, 1000] });
}

test('add a domain to a running app, see it serving, open it through the proxy over HTTPS', async ({ page }) => {
  test.setTimeout(240_000);
  const { stamp, owner, password, projectId, appId } = await seedDeployableApp(git.url, 'proxy');
  deployed.push({ id: appId, projectId: projectId });
  const host = `shop-${stamp}.e2e.test`;

  await signIn(page, owner, password);
  await page.goto(`/projects/${projectId}/apps/${appId}/deployments`);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await expect(page.getByTestId('deployment-status')).toHaveText('success', { timeout: 120_000 });

  await page.goto(`/projects/${projectId}/apps/${appId}/domains`);
  const add = page.getByRole('form', { name: 'Add a domain' });
  await add.getByLabel('Domain').fill(host);
  await add.getByLabel('Container port').fill('8080');
  await add.getByRole('button', { name: 'Add domain' }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: host, exact: true }) });
  await expect(row).toBeVisible();
  // Serving: the reconciler loaded a config that carries the domain as it is now.
  await untilShown(page, () => expect(row).toContainText('serving', { timeout: 1_000 }), 90_000);

  // Caddy obtains the certificate once the route is loaded, asynchronously: wait until it presents one.
  await expect.poll(() => presentedIssuer(host).catch(() => ''), { timeout: 60_000 }).toMatch(/Caddy Local Authority/);

  const browser = await chromium.launch({
    ...chromiumLaunchOptions(),
    args: [...(chromiumLaunchOptions().args ?? []), `--host-resolver-rules=MAP ${host} 127.0.0.1`],
  });
  try {
    // Caddy's internal CA is not one Chromium trusts; the issuer is checked below, on the certificate itself.
    const visitor = await browser.newPage({ ignoreHTTPSErrors: true });
    const secure = await visitor.goto(`https://${host}:${httpsPort}/`);
    expect(secure?.status()).toBe(200);
    await expect(visitor.locator('body')).toContainText('served-through-the-proxy');

    // Plain HTTP: a 308 to HTTPS on the proxy's port that keeps the path and query.
    const followed = await visitor.goto(`http://${host}:${httpPort}/some/path?q=1`);
    const first = await followed?.request().redirectedFrom()?.response();
    expect(first?.status()).toBe(308);
    expect(first?.headers()['location']).toBe(`https://${host}:${httpsPort}/some/path?q=1`);
    expect(visitor.url()).toBe(`https://${host}:${httpsPort}/some/path?q=1`);
    expect(secure?.headers()['strict-transport-security']).toContain('max-age=');
  } finally {
    await browser.close();
  }

  // The certificate the proxy issued is recorded and shown with its issuer and expiry.
  await row.getByRole('link', { name: host, exact: true }).click();
  await page.waitForURL(/\/domains\/[0-9a-f-]{36}$/);
  await untilShown(
    page,
    () => expect(page.getByTestId('certificate-issuer')).toContainText('Caddy Local Authority', { timeout: 1_000 }),
    90_000,
  );
  await expect(page.getByTestId('certificate-expiry')).toContainText(/days left/);
  const [certificate] = await dbQuery<{ source: string; private_key: string }>(
    'SELECT c.source, c.private_key FROM certificates c JOIN domains d ON d.id = c.domain_id WHERE d.domain = $1',
    [host],
  );
  expect(certificate!.source).toBe('internal');
  expect(certificate!.private_key).toMatch(/^enc:v1:/);
});

test('an administrator sees the proxy status and asks for a sync; a developer gets not found', async ({ page }) => {
  const stamp = uniqueStamp();
  const password = `pw-proxy-admin-${stamp}-x`;
  const admin = `proxy_admin_${stamp}`;
  await createUser(admin, 'admin', password);
  const [before] = await dbQuery<{ count: string }>("SELECT count(*) FROM proxy_syncs WHERE trigger LIKE '%manual%'");
  await signIn(page, admin, password);
  await page.goto('/settings/proxy');
  await expect(page.getByRole('heading', { name: 'Proxy status' })).toBeVisible();
  await expect(page.getByTestId('proxy-mode')).toContainText('swarm');
  await expect(page.getByTestId('proxy-last-sync')).toContainText(/Last sync .*routes\./);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByText('Asked the proxy to sync')).toBeVisible();
  // The request reaches the reconciler, whose pass is recorded with its trigger.
  await expect
    .poll(async () => {
      const [after] = await dbQuery<{ count: string }>(
        "SELECT count(*) FROM proxy_syncs WHERE trigger LIKE '%manual%'",
      );
      return Number(after!.count) - Number(before!.count);
    })
    .toBeGreaterThan(0);
  await page.reload();
  await expect(page.getByRole('cell', { name: /manual/ }).first()).toBeVisible();

  const developer = `proxy_dev2_${stamp}`;
  await createUser(developer, 'developer', password);
  const other = await page.context().browser()!.newContext();
  const devPage = await other.newPage();
  await signIn(devPage, developer, password);
  const answer = await devPage.goto('/settings/proxy');
  expect(answer?.status()).toBe(404);
  await other.close();
});
