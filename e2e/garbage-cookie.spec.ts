// A session cookie the panel cannot read (forged, corrupted, or sealed with another secret) is a signed-out request,
// and the panel's log says so in one line, not a stack trace per request (D64). The panel is one of our own, on the
// e2e database and data directory, so its output is only what these requests caused.
import { expect, test } from '@playwright/test';

import { startAnsweringPanel, stopPanel, type PanelProcess } from './panel-process';

let panel: PanelProcess | undefined;

test.beforeAll(async () => {
  panel = await startAnsweringPanel();
});

test.afterAll(async () => {
  if (panel) await stopPanel(panel);
});

const GARBAGE = [
  'garbage',
  'a.b.c.d.e',
  // JWE-shaped, but sealed with no key of ours.
  'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..bm90LWFuLWl2.bm90LWEtdG9rZW4.bm90LWEtdGFn',
  'x'.repeat(2000),
];

test('garbage session cookies are signed-out requests and one line in the log, without a stack', async () => {
  const { baseUrl, output } = panel!;
  const before = output().length;
  for (const [i, value] of GARBAGE.entries()) {
    const cookie = `next-auth.session-token=${value}`;
    // A page: sent to sign-in, as with no cookie.
    const page = await fetch(`${baseUrl}/profile`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status, `page with garbage cookie ${i}`).toBeGreaterThanOrEqual(300);
    expect(page.status).toBeLessThan(400);
    expect(new URL(page.headers.get('location')!, baseUrl).pathname).toBe('/sign-in');
    // The session endpoint: no session, and the bad cookie is cleared.
    const session = await fetch(`${baseUrl}/api/auth/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toEqual({});
    expect(session.headers.getSetCookie().join('\n')).toMatch(/next-auth\.session-token=;/);
  }

  // The panel wrote each line before it answered; the pipe may deliver it a moment after the answer.
  const printed = () => output().slice(before);
  const lines = () =>
    printed()
      .split('\n')
      .filter((line) => /JWT_SESSION_ERROR|jwt_session_error/.test(line));
  await expect.poll(() => lines().length).toBeGreaterThan(0);
  expect(lines()).toHaveLength(1);
  expect(lines()[0]).toContain('cannot be read');
  expect(printed()).not.toMatch(/^\s+at /m);
});
