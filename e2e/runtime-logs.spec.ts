// The Logs tab shows every line the stream sends, however many share a microsecond (ids of 19 digits, beyond what a
// JavaScript number holds exactly), and a `skipped` event as a visible line saying how many lines a flood cost. The
// stream is the server's wire format, served to the page by Playwright: what is tested is the viewer.
import { expect, test } from '@playwright/test';

import { dbQuery, signedInAs, uniqueStamp } from './support';

/** 500 lines of a burst, three to a microsecond, then 1,234 skipped, then two more lines and the end. */
function burstStream(): string {
  const micros = 1_796_306_972_811_227;
  const id = (i: number) => `${micros + Math.floor(i / 3)}${String(i % 3).padStart(3, '0')}`;
  const event = (name: string, eventId: string, data: unknown) =>
    `id: ${eventId}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  let body = 'retry: 3000\n\n';
  const line = (i: number) => event('log', id(i), { id: id(i), level: 'info', message: `line ${i + 1}` });
  for (let i = 0; i < 500; i += 1) body += line(i);
  body += event('skipped', id(1733), { count: 1234, id: id(1733) });
  body += line(1734) + line(1735);
  body += 'event: end\ndata: {"status":"ended"}\n\n';
  return body;
}

test('a burst shows whole, and a flood’s skipped lines are counted in the log', async ({ browser }) => {
  const user = await signedInAs(browser, 'developer', 'rtlog');
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
    [`rtlog-${uniqueStamp()}`, user.id],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config)
     VALUES ($1, 'web', 'docker', 'docker', '{"image":"nginx:1.27"}') RETURNING id`,
    [project!.id],
  );
  // A successful deployment: the Logs tab opens the stream.
  await dbQuery(
    `INSERT INTO deployments (application_id, triggered_by, status, started_at, completed_at)
     VALUES ($1, $2, 'success', now() - interval '1 minute', now())`,
    [app!.id, user.id],
  );
  const body = burstStream();
  await user.page.route(`**/api/applications/${app!.id}/logs**`, (route) =>
    route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, body }),
  );

  await user.page.goto(`/projects/${project!.id}/apps/${app!.id}/logs`);
  const log = user.page.getByRole('log', { name: 'Log output' });
  await expect(user.page.getByTestId('log-state')).toHaveText('finished');
  const rows = log.locator(':scope > div');
  await expect(rows).toHaveCount(503);
  await expect(rows.nth(0)).toHaveText('line 1');
  await expect(rows.nth(499)).toHaveText('line 500');
  await expect(rows.nth(500)).toHaveText(
    '… 1,234 lines skipped (written too fast to show here; Docker keeps the service’s full log)',
  );
  await expect(rows.nth(500)).toHaveAttribute('data-level', 'skipped');
  await expect(rows.nth(501)).toHaveText('line 1735');
  await expect(rows.nth(502)).toHaveText('line 1736');
  await user.close();
});
