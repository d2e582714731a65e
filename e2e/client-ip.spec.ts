// A browser cannot choose the address the panel records: scripts/server.mjs replaces a client-sent X-Forwarded-For
// (and X-Slipway-Client-Ip) with the connection's address, and that is what the audit log keeps.
import { randomBytes } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { dbQuery, demoPassword, signIn } from './support';

const SPOOFED = { 'x-forwarded-for': '6.6.6.6', 'x-slipway-client-ip': '7.7.7.7', 'x-real-ip': '8.8.8.8' };

test('sign-ins are recorded with the connection address, not the one the client claims', async ({ page }) => {
  // The database's clock, so the two clocks need not agree.
  const since = (await dbQuery<{ since: Date }>('SELECT now() AS since'))[0]!.since;
  await page.setExtraHTTPHeaders(SPOOFED);

  const nobody = `nobody-${randomBytes(4).toString('hex')}`;
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(nobody);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const failed = () =>
    dbQuery<{ ip: string }>(
      "SELECT host(ip_address) AS ip FROM audit_logs WHERE action = 'auth.sign_in_failed' AND details->>'identifier' = $1",
      [nobody],
    );
  await expect.poll(async () => (await failed()).map((row) => row.ip)).toEqual(['127.0.0.1']);

  await signIn(page, 'john_doe', demoPassword());
  const signedIn = await dbQuery<{ ip: string | null }>(
    `SELECT host(ip_address) AS ip FROM audit_logs
      WHERE action = 'auth.sign_in' AND created_at >= $1 AND user_id = (SELECT id FROM users WHERE username = 'john_doe')`,
    [since],
  );
  expect(signedIn.length).toBeGreaterThan(0);
  // Other specs sign in as john_doe at the same time, all from this machine: every row must say so.
  expect(new Set(signedIn.map((row) => row.ip))).toEqual(new Set(['127.0.0.1']));
});
