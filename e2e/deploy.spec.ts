// Deploying from the browser on the real engine: a git application served by a local git daemon, Deploy pressed in
// Chromium, the build log streaming in, the status turning to success, the service running on Docker Swarm.
import { expect, test } from '@playwright/test';
import Docker from 'dockerode';

import { startGitServer, type GitTestServer } from '../lib/git/test-server';
import { cleanupApps, httpAppDockerfile } from '../lib/swarm/test-support';
import { dbQuery, seedDeployableApp, signIn } from './support';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
let git: GitTestServer;
const deployed: { id: string; projectId: string }[] = [];

test.beforeAll(async () => {
  git = await startGitServer();
  await git.commit({ Dockerfile: httpAppDockerfile('deployed-from-e2e') });
});

test.afterAll(async () => {
  try {
    await cleanupApps(docker, deployed);
  } finally {
    await git?.stop();
  }
});

test('press Deploy, watch the log stream in, see the status turn to success', async ({ page }) => {
  test.setTimeout(180_000);
  const { owner, password, projectId, appId } = await seedDeployableApp(git.url, 'deploy');
  deployed.push({ id: appId, projectId: projectId });

  await signIn(page, owner, password);
  await page.goto(`/projects/${projectId}/apps/${appId}/deployments`);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.waitForURL(new RegExp(`/apps/${appId}/deployments/[0-9a-f-]{36}$`));
  const log = page.getByRole('log', { name: 'Log output' });
  await expect(log).toContainText('Checked out', { timeout: 60_000 });
  await expect(page.getByTestId('deployment-status')).toHaveText('success', { timeout: 120_000 });
  await expect(log).toContainText('Deployed:');
  await expect(page.getByTestId('log-state')).toHaveText('finished');

  const [row] = await dbQuery<{ status: string; logs: string | null }>(
    'SELECT status, logs FROM deployments WHERE application_id = $1',
    [appId],
  );
  expect(row!.status).toBe('success');
  expect(row!.logs).toContain('Deployed:');
  const services = await docker.listServices({ filters: { label: [`slipway.application=${appId}`] } });
  expect(services).toHaveLength(1);

  // The General tab of the running application links the port Swarm picked, and the link reaches the service.
  await page.goto(`/projects/${projectId}/apps/${appId}`);
  const ports = page.getByRole('list', { name: 'Published ports' });
  const link = ports.getByRole('link');
  await expect(link).toHaveCount(1);
  const href = await link.getAttribute('href');
  const port = Number(new URL(href!).port);
  expect(port).toBeGreaterThan(0);
  await expect(ports).toContainText('container port 8080/tcp');
  const served = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
  expect(await served.text()).toContain('deployed-from-e2e');
});
