// A deployment a newer one replaced before it started is shown as superseded, in grey, with its reason: never as a
// red failure (D69). A real failure beside it stays red.
import { expect, test } from '@playwright/test';

import { dbQuery, signedInAs, uniqueStamp } from './support';

test('a superseded deployment reads "superseded" in grey, with its reason; a failed one stays red', async ({
  browser,
}) => {
  const owner = await signedInAs(browser, 'developer', 'status');
  try {
    const [project] = await dbQuery<{ id: string }>(
      'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
      [`status-${uniqueStamp()}`, owner.id],
    );
    const [app] = await dbQuery<{ id: string }>(
      `INSERT INTO applications (project_id, name, type, source_type, source_config)
       VALUES ($1, 'web', 'docker', 'docker', '{"image":"nginx:1.27"}') RETURNING id`,
      [project!.id],
    );
    const [failed] = await dbQuery<{ id: string }>(
      `INSERT INTO deployments (application_id, triggered_by, status, started_at, completed_at, metadata)
       VALUES ($1, $2, 'failed', now() - interval '3 minutes', now() - interval '2 minutes',
               '{"reason": "build failed", "duration_seconds": 60}') RETURNING id`,
      [app!.id, owner.id],
    );
    const [newer] = await dbQuery<{ id: string }>(
      `INSERT INTO deployments (application_id, triggered_by, status, started_at, completed_at)
       VALUES ($1, $2, 'success', now() - interval '1 minute', now()) RETURNING id`,
      [app!.id, owner.id],
    );
    const [superseded] = await dbQuery<{ id: string }>(
      `INSERT INTO deployments (application_id, triggered_by, status, started_at, completed_at, metadata)
       VALUES ($1, $2, 'superseded', now() - interval '90 seconds', now() - interval '1 minute', $3) RETURNING id`,
      [app!.id, owner.id, { reason: `superseded by ${newer!.id}`, superseded_by: newer!.id }],
    );

    const { page } = owner;
    const base = `/projects/${project!.id}/apps/${app!.id}/deployments`;
    await page.goto(base);
    const row = (id: string) => page.locator('tbody tr').filter({ has: page.locator(`a[href="${base}/${id}"]`) });

    const badge = row(superseded!.id).locator('td').nth(0).locator('span');
    await expect(badge).toHaveText('superseded');
    await expect(badge).toHaveClass(/\btext-muted\b/);
    await expect(badge).not.toHaveClass(/\bbg-red-/);

    const red = row(failed!.id).locator('td').nth(0).locator('span');
    await expect(red).toHaveText('failed');
    await expect(red).toHaveClass(/\bbg-red-50\b/);

    await page.goto(`${base}/${superseded!.id}`);
    await expect(page.getByTestId('deployment-status')).toHaveText('superseded');
    await expect(page.getByTestId('deployment-status').locator('span')).toHaveClass(/\btext-muted\b/);
    await expect(page.getByLabel('Deployment details')).toContainText(`superseded by ${newer!.id}`);
  } finally {
    await owner.close();
  }
});
