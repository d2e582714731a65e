// Deploying from the browser on the real engine: a git application served by a local git daemon, Deploy pressed in
// Chromium, the build log streaming in, the status turning to success, the service running on Docker Swarm.
import { expect, test } from '@playwright/test';
import Docker from 'dockerode';

import { startGitServer, type GitTestServer } from '../lib/git/test-server';
import { cleanupApps, httpAppDockerfile } from '../lib/swarm/test-support';
import { createUser, dbQuery, signIn, uniqueStamp } from './support';

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
  const stamp = uniqueStamp();
  const password = `pw-deploy-${stamp}-x`;
  const owner = `deploy_dev_${stamp}`;
  const ownerId = await createUser(owner, 'developer', password);
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
    [`deploy-${stamp}`, ownerId],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config, docker_config)
     VALUES ($1, $2, 'git', 'github', $3, $4) RETURNING id`,
    [
      project!.id,
      `web-${stamp}`,
      JSON.stringify({ repository: git.url, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' }),
      // Host mode without a fixed port (the routing mesh does not work on this kernel): Swarm picks the host port.
      JSON.stringify({
        ports: [{ target: 8080, protocol: 'tcp', mode: 'host' }],
        healthcheck: {
          test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'],
          interval: '1s',
          timeout: '1s',
          retries: 2,
        },
      }),
    ],
  );
  const appId = app!.id;
  deployed.push({ id: appId, projectId: project!.id });

  await signIn(page, owner, password);
  await page.goto(`/projects/${project!.id}/apps/${appId}/deployments`);
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
  await page.goto(`/projects/${project!.id}/apps/${appId}`);
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
