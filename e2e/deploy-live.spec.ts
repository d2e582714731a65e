// A deploy watched live to its end leaves the page as a reload shows it: the application's status in the header, the
// deployment's finished time, image and duration, the stages and the badge, all moved by the log stream's status
// events, without the person reloading. Real parts: a git application served by a local git daemon, Docker Swarm.
import { expect, test, type Page } from '@playwright/test';
import Docker from 'dockerode';

import { startGitServer, type GitTestServer } from '../lib/git/test-server';
import { cleanupApps, httpAppDockerfile } from '../lib/swarm/test-support';
import { dbQuery, signedInAs, uniqueStamp, type SignedIn } from './support';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
let git: GitTestServer;
const apps: { id: string; projectId: string }[] = [];

test.beforeAll(async () => {
  git = await startGitServer();
  await git.commit({ Dockerfile: httpAppDockerfile('live') });
});

test.afterAll(async () => {
  await cleanupApps(docker, apps);
  await git?.stop();
});

/** The application's header (name and status), not the site's navigation bar. */
const appHeader = (page: Page) => page.locator('header').filter({ has: page.getByRole('heading', { level: 1 }) });

/** What the page shows of the deployment's and the application's state, as the text a person reads. */
async function shownState(page: Page) {
  return {
    header: (await appHeader(page).textContent()) ?? '',
    details: (await page.getByLabel('Deployment details').textContent()) ?? '',
    stages: (await page.getByRole('list', { name: 'Stages' }).textContent()) ?? '',
  };
}

test('a deploy watched to its end: the header and details equal a fresh load, without a reload', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const stamp = uniqueStamp();
  const owner: SignedIn = await signedInAs(browser, 'developer', 'live');
  try {
    const [project] = await dbQuery<{ id: string }>(
      'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
      [`live-${stamp}`, owner.id],
    );
    const [app] = await dbQuery<{ id: string }>(
      `INSERT INTO applications (project_id, name, type, source_type, source_config)
       VALUES ($1, $2, 'git', 'github', $3) RETURNING id`,
      [
        project!.id,
        `live-${stamp}`,
        JSON.stringify({ repository: git.url, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' }),
      ],
    );
    apps.push({ id: app!.id, projectId: project!.id });
    const { page } = owner;

    await page.goto(`/projects/${project!.id}/apps/${app!.id}/deployments`);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.waitForURL(new RegExp(`/apps/${app!.id}/deployments/[0-9a-f-]{36}$`));
    const details = page.getByLabel('Deployment details');
    const header = appHeader(page);
    // The page was rendered before the deployment finished.
    await expect(details).toContainText('Finished—');

    await expect(page.getByTestId('deployment-status')).toHaveText('success', { timeout: 150_000 });
    await expect(page.getByTestId('log-state')).toHaveText('finished');

    // A fresh load in another tab, after the end: what the live page must now show.
    const fresh = await owner.context.newPage();
    await fresh.goto(page.url());
    await expect(fresh.getByTestId('log-state')).toHaveText('finished');
    const expected = await shownState(fresh);
    await fresh.close();
    expect(expected.header).toContain('running');
    expect(expected.details).not.toContain('Finished—');
    expect(expected.details).toMatch(/Imageslipway\/app-/);
    expect(expected.details).toMatch(/Duration[\d.]+ s/);

    // The live page gets there by itself (its refresh may still be on the way when the log says finished).
    await expect(header).toHaveText(expected.header, { timeout: 15_000 });
    await expect(details).toHaveText(expected.details);
    await expect(page.getByRole('list', { name: 'Stages' })).toHaveText(expected.stages);

    // And a reload of the live page itself shows the same.
    await page.reload();
    await expect(page.getByTestId('log-state')).toHaveText('finished');
    expect(await shownState(page)).toEqual(expected);

    // The service's own output, in the same log-line shape, on the Logs tab.
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await expect(page.getByRole('log', { name: 'Log output' })).toContainText('started');
    await expect(page.getByTestId('log-state')).toHaveText('live');
  } finally {
    await owner.close();
  }
});
