// The webhook endpoint of the running panel, over HTTP as a git provider reaches it: unknown sources are 404, unsigned
// and mis-signed deliveries 401 (and recorded), an oversized body 413 before it is read, a signed ping 200, a push to
// a branch the application does not watch 202 ignored, signed malformed JSON 400. No browser: the provider is a client.
import { randomUUID } from 'node:crypto';
import http from 'node:http';

import { expect, test, type APIResponse } from '@playwright/test';

import { aadOf } from '../lib/git-sources/config';
import { githubDelivery, githubPing, githubPush, type Delivery } from '../lib/webhooks/testing';
import { createUser, dbQuery, encryptForPanel, uniqueStamp } from './support';

const SECRET = `e2e-webhook-secret-${randomUUID()}`;
const stamp = uniqueStamp();
let appId = '';
let sourceId = '';

const webhookPath = (id = sourceId) => `/api/webhooks/github/${id}`;
const post = (request: import('@playwright/test').APIRequestContext, delivery: Delivery, id = sourceId) =>
  request.post(webhookPath(id), { headers: delivery.headers, data: delivery.body, failOnStatusCode: false });

const deliveryRow = async (deliveryId: string) =>
  (
    await dbQuery<{ signature_ok: boolean; outcome: string; reason: string | null; event: string }>(
      'SELECT signature_ok, outcome, reason, event FROM webhook_deliveries WHERE git_source_id = $1 AND delivery_id = $2',
      [sourceId, deliveryId],
    )
  )[0];

async function expectJson(
  response: APIResponse,
  status: number,
): Promise<{ ok: boolean; outcome?: string; message: string }> {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()['content-type']).toContain('application/json');
  expect(response.headers()['cache-control']).toBe('no-store');
  return (await response.json()) as { ok: boolean; outcome?: string; message: string };
}

test.beforeAll(async () => {
  const ownerId = await createUser(`hooks_dev_${stamp}`, 'developer', `pw-hooks-${stamp}-x`);
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
    [`hooks-${stamp}`, ownerId],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config) VALUES ($1, $2, 'git', 'github', $3) RETURNING id`,
    [project!.id, `hooks-${stamp}`, JSON.stringify({ repository: 'acme-labs/orders-api', branch: 'main' })],
  );
  appId = app!.id;
  const [source] = await dbQuery<{ id: string }>(
    `INSERT INTO git_sources (application_id, provider, repository, branch, webhook_config) VALUES ($1, 'github', 'acme-labs/orders-api', 'main', $2) RETURNING id`,
    [
      appId,
      JSON.stringify({
        secret: await encryptForPanel(SECRET, aadOf('secret')),
        secret_created_at: new Date().toISOString(),
      }),
    ],
  );
  sourceId = source!.id;
});

test.afterAll(async () => {
  // Nothing here may have queued a deployment: every delivery was refused or ignored.
  expect(await dbQuery('SELECT id FROM deployments WHERE application_id = $1', [appId])).toEqual([]);
});

test('an unknown source is 404 JSON, and nothing is recorded', async ({ request }) => {
  const unknown = randomUUID();
  const body = await expectJson(
    await post(request, githubPush({ before: null, after: 'a'.repeat(40), secret: SECRET }), unknown),
    404,
  );
  expect(body).toMatchObject({ ok: false });
  expect(body.message).toMatch(/No such webhook/);
  expect(await dbQuery('SELECT id FROM webhook_deliveries WHERE git_source_id = $1', [unknown])).toEqual([]);
  // A real source under another provider's URL is no webhook either.
  expect(
    (await request.post(`/api/webhooks/gitlab/${sourceId}`, { data: '{}', failOnStatusCode: false })).status(),
  ).toBe(404);
});

test('an unsigned delivery is 401 and recorded as refused', async ({ request }) => {
  const delivery = githubPush({ before: null, after: 'b'.repeat(40), secret: null });
  const body = await expectJson(await post(request, delivery), 401);
  expect(body.ok).toBe(false);
  expect(body.message).toMatch(/X-Hub-Signature-256/);
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({
    signature_ok: false,
    outcome: 'rejected',
    event: 'push',
  });
});

test('a delivery signed with another secret is 401 and never echoes a secret', async ({ request }) => {
  const delivery = githubPush({ before: null, after: 'c'.repeat(40), secret: 'not-the-webhook-secret' });
  const response = await post(request, delivery);
  const body = await expectJson(response, 401);
  expect(body.message).toMatch(/signature does not match/);
  const text = JSON.stringify(body);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(delivery.headers['X-Hub-Signature-256']!.slice(7));
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({ signature_ok: false, outcome: 'rejected' });
});

/**
 * Posts `bytes` with `headers` and never ends the request: an answer can then only come from a server that decided
 * without waiting for the rest of the body. The socket is closed once the answer is in.
 */
function postWithoutEnding(
  url: URL,
  headers: Record<string, string>,
  bytes: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text });
          req.destroy();
        });
      },
    );
    // The panel may close the connection while chunks are still being written: that is the point.
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    let sent = 0;
    const pump = () => {
      while (sent < bytes.length && !req.destroyed) {
        const chunk = bytes.subarray(sent, sent + 64 * 1024);
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

test('a body over 5 MB is 413 without being read whole, with or without a Content-Length', async ({
  request,
  baseURL,
}) => {
  const big = Buffer.alloc(6 * 1024 * 1024, 'x');
  const delivery = githubDelivery('push', big, { secret: SECRET });
  const body = await expectJson(await post(request, delivery), 413);
  expect(body.message).toMatch(/larger than 5 MiB/);

  const target = new URL(webhookPath(), baseURL);
  // A declared length over the limit is refused from the header: 1 KiB of the promised 6 MiB is ever sent.
  const declared = await postWithoutEnding(
    target,
    { ...delivery.headers, 'content-length': String(big.length) },
    big.subarray(0, 1024),
  );
  expect(declared.status, declared.body).toBe(413);
  expect(declared.body).toMatch(/larger than 5 MiB/);

  // Streamed without a length and never finished: the reader stops counting at the limit and answers anyway.
  const chunked = await postWithoutEnding(target, { ...delivery.headers, 'transfer-encoding': 'chunked' }, big);
  expect(chunked.status, chunked.body).toBe(413);
  expect(chunked.body).toMatch(/larger than 5 MiB/);
  expect(await dbQuery('SELECT id FROM webhook_deliveries WHERE delivery_id = $1', [delivery.deliveryId])).toEqual([]);
});

test('a signed ping is 200', async ({ request }) => {
  const delivery = githubPing({ secret: SECRET });
  const body = await expectJson(await post(request, delivery), 200);
  expect(body).toMatchObject({ ok: true, outcome: 'ignored' });
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({
    signature_ok: true,
    outcome: 'ignored',
    event: 'ping',
  });
});

test('a signed push to a branch the application does not watch is 202 ignored', async ({ request }) => {
  const delivery = githubPush({
    ref: 'refs/heads/feature/search',
    before: 'd'.repeat(40),
    after: 'e'.repeat(40),
    secret: SECRET,
  });
  const body = await expectJson(await post(request, delivery), 202);
  expect(body).toMatchObject({ ok: true, outcome: 'ignored' });
  expect(body.message).toContain('this application deploys main');
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({ signature_ok: true, outcome: 'ignored' });
  // The same delivery again is a replay: 200, nothing new recorded.
  expect(await expectJson(await post(request, delivery), 200)).toMatchObject({ outcome: 'duplicate' });
  expect(await dbQuery('SELECT id FROM webhook_deliveries WHERE delivery_id = $1', [delivery.deliveryId])).toHaveLength(
    1,
  );
});

test('signed malformed JSON is 400', async ({ request }) => {
  const delivery = githubDelivery('push', Buffer.from('{"ref": "refs/heads/main", "after": '), { secret: SECRET });
  const body = await expectJson(await post(request, delivery), 400);
  expect(body).toMatchObject({ ok: false, outcome: 'rejected' });
  expect(body.message).toMatch(/not valid JSON/);
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({ signature_ok: true, outcome: 'rejected' });
});
