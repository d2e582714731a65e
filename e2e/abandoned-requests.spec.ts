// A client that goes away is not an error: a panel whose clients hang up mid-response (a log stream, a page, a server
// action whose upload is cut off) prints no ECONNRESET stack, and a malformed request is one line however often it
// comes. The panel is one of our own (its output is what is checked), on the e2e database and data directory, so the
// browser's session is valid there too.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { startAnsweringPanel, stopPanel, type PanelProcess } from './panel-process';
import { dbQuery, signedInAs, uniqueStamp } from './support';

const ROOT = path.resolve(__dirname, '..');
let panel: PanelProcess | undefined;

test.beforeAll(async () => {
  panel = await startAnsweringPanel();
});

test.afterAll(async () => {
  if (panel) await stopPanel(panel);
});

type Exchange = { head: string; hangUp: 'reset' | 'close'; when: 'first-bytes' | 'sent' | 'never' };

/**
 * Sends a raw request and hangs up (a reset or a plain close) once the answer starts, or as soon as it is sent, or
 * never (the server closes); what was received by then.
 */
function abandon(port: number, { head, hangUp, when }: Exchange): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const leave = () => (hangUp === 'reset' ? socket.resetAndDestroy() : socket.destroy());
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head, () => when === 'sent' && leave()));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (when === 'first-bytes') leave();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });
}

/** A server action of a page without a dynamic segment, from the build's manifest: its id and the page's path. */
function someServerAction(): { id: string; path: string } {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, '.next/server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown> }>;
  };
  for (const [id, { workers }] of Object.entries(manifest.node)) {
    const page = Object.keys(workers).find((worker) => /^app\/[^[\]]*\/page$/.test(worker));
    if (page)
      return {
        id,
        path:
          page
            .replace(/^app/, '')
            .replace(/\/\([^)]+\)/g, '')
            .replace(/\/page$/, '') || '/',
      };
  }
  throw new Error('The build has no server action on a static page.');
}

test('clients that hang up mid-response leave no stack in the panel’s output', async ({ browser }) => {
  test.setTimeout(120_000);
  const { port, baseUrl } = panel!;
  const user = await signedInAs(browser, 'developer', 'gone');
  const session = (await user.context.cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ');
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
    [`gone-${uniqueStamp()}`, user.id],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type) VALUES ($1, 'api', 'docker', 'docker') RETURNING id`,
    [project!.id],
  );
  // A deployment still building: its log stream stays open (heartbeats) until the client leaves.
  const [deployment] = await dbQuery<{ id: string }>(
    `INSERT INTO deployments (application_id, triggered_by, status, started_at) VALUES ($1, $2, 'building', now()) RETURNING id`,
    [app!.id, user.id],
  );
  const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${session}\r\n\r\n`;
  const action = someServerAction();
  const upload =
    `POST ${action.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${baseUrl}\r\nNext-Action: ${action.id}\r\n` +
    `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 100000\r\n\r\n["${'x'.repeat(2000)}`;

  for (const hangUp of ['reset', 'close'] as const) {
    for (let i = 0; i < 3; i += 1) {
      // The stream was open: its answer started with the event-stream preamble.
      expect(
        await abandon(port, { head: get(`/api/deployments/${deployment!.id}/logs`), hangUp, when: 'first-bytes' }),
      ).toContain('text/event-stream');
      expect(await abandon(port, { head: get(`/projects/${project!.id}`), hangUp, when: 'first-bytes' })).toMatch(
        /^HTTP\/1\.1 200/,
      );
      await abandon(port, { head: get(`/projects/${project!.id}`), hangUp, when: 'sent' });
      await abandon(port, { head: upload, hangUp, when: 'sent' });
    }
  }
  // A malformed action id is refused at the edge, before Next.js would log a stack for it.
  for (let i = 0; i < 3; i += 1) {
    const forged = await fetch(`${baseUrl}${action.path}`, {
      method: 'POST',
      headers: { origin: baseUrl, 'next-action': 'not-an-action', cookie: session },
      body: '[]',
    });
    expect(forged.status).toBe(400);
  }
  // A well-formed id of no action the build has (a tab from an older build) is Next.js's own 409, "Server Action
  // unavailable", which it does not log as an error.
  const stale = await fetch(`${baseUrl}${action.path}`, {
    method: 'POST',
    headers: { origin: baseUrl, 'next-action': '00'.repeat(21), cookie: session },
    body: '[]',
  });
  expect(stale.status).toBe(409);
  // A page still answers after all that; then three malformed requests, the last thing the panel is sent.
  expect((await fetch(`${baseUrl}/api/health`)).status).toBe(200);
  for (let i = 0; i < 3; i += 1) {
    expect(await abandon(port, { head: 'HELLO / HTTP/1.1\r\n\r\n', hangUp: 'close', when: 'never' })).toMatch(
      /^HTTP\/1\.1 400 Bad Request/,
    );
  }
  // The malformed requests' line comes after anything the abandoned requests made the panel print.
  const GONE = /ECONNRESET|EPIPE|ECONNABORTED|Error: aborted|failed to pipe/;
  await expect.poll(() => GONE.test(panel!.output()) || panel!.output().includes('HPE_INVALID_METHOD')).toBe(true);
  const output = panel!.output();
  expect(output, output).not.toMatch(GONE);
  // No stack trace at all: each frame of one is a line starting "    at ".
  expect(output, output).not.toMatch(/^\s+at /m);
  expect(output.match(/connection error from 127\.0\.0\.1: HPE_INVALID_METHOD/g)).toHaveLength(1);
  expect(output.match(/posted server action 0{42}: answered 409/g)).toHaveLength(1);
  await user.close();
});
