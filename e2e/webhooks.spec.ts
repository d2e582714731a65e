// The webhook endpoint of the running panel, over HTTP as a git provider reaches it: unknown sources are 404, unsigned
// and mis-signed deliveries 401 (and recorded), an oversized body 413 before it is read, a signed ping 200, a push to
// a branch the application does not watch 202 ignored, signed malformed JSON 400. No browser: the provider is a client.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { expect, test, type APIResponse } from '@playwright/test';
import { encryptSecret, loadKeyRing } from '../lib/crypto';
import { aadOf } from '../lib/git-sources/config';
import { githubDelivery, githubPing, githubPush, type Delivery } from '../lib/webhooks/testing';
import { STATE_ENV, type E2eState } from './global-teardown';
import { createUser, dbQuery } from './support';

const SECRET = `e2e-webhook-secret-${randomUUID()}`;
const stamp = `${Date.now() % 1_000_000_000}`;
let appId = '';
let sourceId = '';

const webhookPath = (id = sourceId) => `/api/webhooks/github/${id}`;
const post = (request: import('@playwright/test').APIRequestContext, delivery: Delivery, id = sourceId) =>
  request.post(webhookPath(id), { headers: delivery.headers, data: delivery.body, failOnStatusCode: false });

/** The secret encrypted as the panel stores it: with the key ring of the data directory global-setup gave it. */
async function encryptForPanel(secret: string): Promise<string> {
  const stateFile = process.env[STATE_ENV];
  if (!stateFile) throw new Error(`${STATE_ENV} is not set: e2e/global-setup.ts sets it.`);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as E2eState;
  const ring = await loadKeyRing({ secretKey: process.env.SLIPWAY_SECRET_KEY?.trim() || undefined, dataDir: state.dataDir });
  return encryptSecret(ring, secret, aadOf('secret'));
}

const deliveryRow = async (deliveryId: string) =>
  (
    await dbQuery<{ signature_ok: boolean; outcome: string; reason: string | null; event: string }>(
      'SELECT signature_ok, outcome, reason, event FROM webhook_deliveries WHERE git_source_id = $1 AND delivery_id = $2',
      [sourceId, deliveryId],
    )
  )[0];

async function expectJson(response: APIResponse, status: number): Promise<{ ok: boolean; outcome?: string; message: string }> {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()['content-type']).toContain('application/json');
  expect(response.headers()['cache-control']).toBe('no-store');
  return (await response.json()) as { ok: boolean; outcome?: string; message: string };
}

test.beforeAll(async () => {
  const ownerId = await createUser(`hooks_dev_${stamp}`, 'developer', `pw-hooks-${stamp}-x`);
  const [project] = await dbQuery<{ id: string }>('INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id', [`hooks-${stamp}`, ownerId]);
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config) VALUES ($1, $2, 'git', 'github', $3) RETURNING id`,
    [project!.id, `hooks-${stamp}`, JSON.stringify({ repository: 'acme-labs/orders-api', branch: 'main' })],
  );
  appId = app!.id;
  const [source] = await dbQuery<{ id: string }>(
    `INSERT INTO git_sources (application_id, provider, repository, branch, webhook_config) VALUES ($1, 'github', 'acme-labs/orders-api', 'main', $2) RETURNING id`,
    [appId, JSON.stringify({ secret: await encryptForPanel(SECRET), secret_created_at: new Date().toISOString() })],
  );
  sourceId = source!.id;
});

test.afterAll(async () => {
  // Nothing here may have queued a deployment: every delivery was refused or ignored.
  expect(await dbQuery('SELECT id FROM deployments WHERE application_id = $1', [appId])).toEqual([]);
});

test('an unknown source is 404 JSON, and nothing is recorded', async ({ request }) => {
  const unknown = randomUUID();
  const body = await expectJson(await post(request, githubPush({ before: null, after: 'a'.repeat(40), secret: SECRET }), unknown), 404);
  expect(body).toMatchObject({ ok: false });
  expect(body.message).toMatch(/No such webhook/);
  expect(await dbQuery('SELECT id FROM webhook_deliveries WHERE git_source_id = $1', [unknown])).toEqual([]);
  // A real source under another provider's URL is no webhook either.
  expect((await request.post(`/api/webhooks/gitlab/${sourceId}`, { data: '{}', failOnStatusCode: false })).status()).toBe(404);
});

test('an unsigned delivery is 401 and recorded as refused', async ({ request }) => {
  const delivery = githubPush({ before: null, after: 'b'.repeat(40), secret: null });
  const body = await expectJson(await post(request, delivery), 401);
  expect(body.ok).toBe(false);
  expect(body.message).toMatch(/X-Hub-Signature-256/);
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({ signature_ok: false, outcome: 'rejected', event: 'push' });
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

test('a body over 5 MB is 413 at once, with or without a Content-Length', async ({ request, baseURL }) => {
  const big = Buffer.alloc(6 * 1024 * 1024, 'x');
  const delivery = githubDelivery('push', big, { secret: SECRET });
  const started = Date.now();
  const response = await post(request, delivery);
  const body = await expectJson(response, 413);
  expect(body.message).toMatch(/larger than 5 MiB/);
  expect(Date.now() - started).toBeLessThan(3000);

  // Streamed without a length: the reader stops counting at the limit and answers before the sender is done.
  const chunked = await new Promise<{ status: number; ms: number; body: string }>((resolve, reject) => {
    const begun = Date.now();
    const target = new URL(webhookPath(), baseURL);
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...delivery.headers, 'transfer-encoding': 'chunked' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - begun, body: text }));
      },
    );
    req.on('error', reject);
    // 64 KiB chunks up to 6 MiB; the panel may close the connection before the last ones are written.
    let sent = 0;
    const pump = () => {
      while (sent < big.length) {
        const chunk = big.subarray(sent, sent + 64 * 1024);
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  expect(chunked.status, chunked.body).toBe(413);
  expect(chunked.ms).toBeLessThan(3000);
  expect(await dbQuery('SELECT id FROM webhook_deliveries WHERE delivery_id = $1', [delivery.deliveryId])).toEqual([]);
});

test('a signed ping is 200', async ({ request }) => {
  const delivery = githubPing({ secret: SECRET });
  const body = await expectJson(await post(request, delivery), 200);
  expect(body).toMatchObject({ ok: true, outcome: 'ignored' });
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({ signature_ok: true, outcome: 'ignored', event: 'ping' });
});

test('a signed push to a branch the application does not watch is 202 ignored', async ({ request }) => {
  const delivery = githubPush({ ref: 'refs/heads/feature/search', before: 'd'.repeat(40), after: 'e'.repeat(40), secret: SECRET });
  const body = await expectJson(await post(request, delivery), 202);
  expect(body).toMatchObject({ ok: true, outcome: 'ignored' });
  expect(body.message).toContain('this application deploys main');
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({ signature_ok: true, outcome: 'ignored' });
  // The same delivery again is a replay: 200, nothing new recorded.
  expect(await expectJson(await post(request, delivery), 200)).toMatchObject({ outcome: 'duplicate' });
  expect(await dbQuery('SELECT id FROM webhook_deliveries WHERE delivery_id = $1', [delivery.deliveryId])).toHaveLength(1);
});

test('signed malformed JSON is 400', async ({ request }) => {
  const delivery = githubDelivery('push', Buffer.from('{"ref": "refs/heads/main", "after": '), { secret: SECRET });
  const body = await expectJson(await post(request, delivery), 400);
  expect(body).toMatchObject({ ok: false, outcome: 'rejected' });
  expect(body.message).toMatch(/not valid JSON/);
  expect(await deliveryRow(delivery.deliveryId)).toMatchObject({ signature_ok: true, outcome: 'rejected' });
});
