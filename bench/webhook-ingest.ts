// bench: webhook ingest, signed GitHub push deliveries over HTTP at concurrency 50. The receiver is the real route
// handler (app/api/webhooks/[provider]/[sourceId]/route.ts: loadSource → readLimitedBody → receiveWebhook, every
// delivery recorded in PostgreSQL) behind a plain Node server; the baseline, measured in the same run on the same
// bodies, is a bare Node server doing only the HMAC check (createHmac + timingSafeEqual). Two receiver variants:
// pushes to a branch the application does not watch (recorded as 'ignored', nothing queued), and pushes to the
// watched branch with the deployment queue started and no worker (the first is queued, later ones coalesce onto
// it or are found stale). Clients run in a worker thread, so their work does not share the server's event loop.
// Prints req/s and p50/p99 latency for each and the ratios to the baseline.
// Usage: npx tsx bench/webhook-ingest.ts     (needs PostgreSQL at TEST_DATABASE_ADMIN_URL, as the integration tests)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from '@/lib/testing/database';
import setup from '@/lib/testing/global-setup';
import { commitTime, githubPush, type Delivery } from '@/lib/webhooks/testing';

import { fmt as format, pct, startServer } from './support';

const CONCURRENCY = 50;
const REQUESTS = 4000;
/** Fewer for the watched branch: every one of them waits for the application's row lock in turn. */
const WATCHED_REQUESTS = 2000;
const WARMUP = 400;
const SECRET = 'bench-webhook-secret-0123456789abcdef';

const sha = (n: number) => n.toString(16).padStart(40, '0');

/** `count` pushes of consecutive commits to `ref`, each with its own body and delivery id. */
function deliveries(count: number, ref: string, from: number): Delivery[] {
  const at = commitTime();
  return Array.from({ length: count }, (_, i) =>
    githubPush({
      ref,
      before: sha(from + i),
      after: sha(from + i + 1),
      message: `bench commit ${from + i + 1}`,
      timestamp: at,
      secret: SECRET,
    }),
  );
}

// The clients: keep-alive connections, CONCURRENCY requests in flight, each request's time to the last byte.
const CLIENT = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { url, requests, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
function post(request) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
      headers: { ...request.headers, 'content-length': String(request.body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(Buffer.from(request.body));
  });
}
(async () => {
  const latencies = [];
  const statuses = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const { status, ms } = await post(requests[next++]);
      latencies.push(ms);
      statuses[status] = (statuses[status] || 0) + 1;
    }
  }));
  parentPort.postMessage({ seconds: (performance.now() - started) / 1000, latencies, statuses });
  agent.destroy();
})();
`;

type Result = { seconds: number; latencies: number[]; statuses: Record<string, number> };

function load(url: string, requests: Delivery[], concurrency = CONCURRENCY): Promise<Result> {
  const worker = new Worker(CLIENT, {
    eval: true,
    workerData: { url, concurrency, requests: requests.map(({ body, headers }) => ({ body, headers })) },
  });
  return new Promise<Result>((resolve, reject) => {
    worker.once('message', (result: Result) => void worker.terminate().then(() => resolve(result)));
    worker.once('error', reject);
  });
}

/** The baseline: the body read whole, its HMAC-SHA256 compared in constant time, a small JSON answer. */
function hmacOnly(request: http.IncomingMessage, response: http.ServerResponse) {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const header = String(request.headers['x-hub-signature-256'] ?? '');
    const given = Buffer.from(header.startsWith('sha256=') ? header.slice(7) : '', 'hex');
    const expected = createHmac('sha256', SECRET).update(body).digest();
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    response.writeHead(ok ? 202 : 401, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ ok, message: ok ? 'accepted' : 'signature refused' }));
  });
}

type RouteModule = typeof import('@/app/api/webhooks/[provider]/[sourceId]/route');

/** The route handler as Next.js calls it: a fetch Request with the body as a stream, the params as a promise. */
function routeHandler(route: RouteModule): http.RequestListener {
  return (request, response) => {
    const match = /^\/api\/webhooks\/([^/]+)\/([^/?]+)$/.exec(request.url ?? '');
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string') headers.set(name, value);
    const web = new Request(`http://127.0.0.1${request.url}`, {
      method: 'POST',
      headers,
      body: Readable.toWeb(request) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    void route
      .POST(web, { params: Promise.resolve({ provider: match?.[1] ?? '', sourceId: match?.[2] ?? '' }) })
      .then(async (answer) => {
        response.writeHead(answer.status, Object.fromEntries(answer.headers));
        response.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch((error: Error) => {
        console.error(`  (a request failed: ${error.message})`);
        response.writeHead(500).end();
      });
  };
}

/** A git application with a GitHub source (watching main) holding the webhook secret; returns the source id. */
async function seedSource(test: TestDatabase, secret: string): Promise<{ sourceId: string; appId: string }> {
  const client = await test.db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.rls_bypass', 'on', true)");
    const user = await client.query<{ id: string }>(
      `INSERT INTO users (username, email, auth_provider) VALUES ('bench', 'bench@example.com', 'github') RETURNING id`,
    );
    const project = await client.query<{ id: string }>(
      `INSERT INTO projects (name, owner_id) VALUES ('bench', $1) RETURNING id`,
      [user.rows[0]!.id],
    );
    const app = await client.query<{ id: string }>(
      `INSERT INTO applications (project_id, name, type, source_type, source_config) VALUES ($1, 'bench', 'git', 'github', $2) RETURNING id`,
      [project.rows[0]!.id, JSON.stringify({ repository: 'acme-labs/orders-api', branch: 'main' })],
    );
    const source = await client.query<{ id: string }>(
      `INSERT INTO git_sources (application_id, provider, repository, branch, webhook_config) VALUES ($1, 'github', 'acme-labs/orders-api', 'main', $2) RETURNING id`,
      [app.rows[0]!.id, JSON.stringify({ secret })],
    );
    await client.query('COMMIT');
    return { sourceId: source.rows[0]!.id, appId: app.rows[0]!.id };
  } finally {
    client.release();
  }
}

const fmt = (ms: number) => format(ms, { width: 9 });
const summary = (result: Result) => {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    rate: result.latencies.length / result.seconds,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    statuses: result.statuses,
  };
};
const line = (name: string, s: ReturnType<typeof summary>, base?: ReturnType<typeof summary>) =>
  `  ${name.padEnd(40)} ${s.rate.toFixed(0).padStart(7)} req/s ${fmt(s.p50)} ${fmt(s.p99)}` +
  (base ? `   ×${(base.rate / s.rate).toFixed(1)} slower, p50 ×${(s.p50 / base.p50).toFixed(1)}` : '') +
  `   ${JSON.stringify(s.statuses)}`;

async function main() {
  await setup();
  const test = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-bench-webhooks-'));
  // Read once by lib/env.ts, on the route's first request: the route then opens its own pool (the panel's default
  // size) on this database, and the key ring lives in a throwaway data directory.
  Object.assign(process.env, {
    DATABASE_URL: test.url,
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_MIGRATIONS_DIR: MIGRATIONS_DIR,
    NODE_ENV: 'production',
  });
  const [{ encryptField }, route, runtime, { database }] = await Promise.all([
    import('@/lib/git-sources/config'),
    import('@/app/api/webhooks/[provider]/[sourceId]/route'),
    import('@/lib/deploy/runtime'),
    import('@/lib/db'),
  ]);
  const { sourceId, appId } = await seedSource(test, await encryptField('secret', SECRET));
  const baseline = await startServer(hmacOnly);
  const receiver = await startServer(routeHandler(route));
  const webhookPath = `/api/webhooks/github/${sourceId}`;
  try {
    const db = await database();
    console.log(
      `webhook ingest — signed GitHub push deliveries (${deliveries(1, 'refs/heads/main', 0)[0]!.body.length} bytes each; ` +
        `${REQUESTS} per run, ${WATCHED_REQUESTS} to the watched branch), ` +
        `concurrency ${CONCURRENCY}, PostgreSQL ${(await db.pool.query('SHOW server_version')).rows[0].server_version}, pool 10, ${os.cpus().length} CPUs`,
    );
    console.log(`\n  ${''.padEnd(40)} ${'throughput'.padStart(13)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);

    // Warm both up (JIT, connections, the key ring, Prisma's first queries), then measure.
    await load(baseline.url('/'), deliveries(WARMUP, 'refs/heads/feature/warm', 1_000_000));
    const base = summary(await load(baseline.url('/'), deliveries(REQUESTS, 'refs/heads/feature/x', 0)));
    console.log(line('bare Node HMAC check (baseline)', base));

    await load(receiver.url(webhookPath), deliveries(WARMUP, 'refs/heads/feature/warm', 1_000_000));
    const ignored = summary(await load(receiver.url(webhookPath), deliveries(REQUESTS, 'refs/heads/feature/x', 0)));
    console.log(line('receiver, push to another branch', ignored, base));

    // The watched branch, the queue started as the panel starts it (no worker here: the deployment stays pending).
    await runtime.configureDeployRuntime(db, { worker: false, log: () => {} });
    const watched = deliveries(WATCHED_REQUESTS, 'refs/heads/main', 2_000_000);
    const pushed = summary(await load(receiver.url(webhookPath), watched));
    console.log(line('receiver, push to the watched branch', pushed, base));

    const outcomes = await test.systemPool.query<{ outcome: string; count: number }>(
      `SELECT outcome, count(*)::int AS count FROM webhook_deliveries WHERE branch = 'main' GROUP BY outcome ORDER BY outcome`,
    );
    const [pending] = (
      await test.systemPool.query<{ commit_sha: string; count: number }>(
        `SELECT commit_sha, count(*) OVER ()::int AS count FROM deployments WHERE application_id = $1 AND status = 'pending'`,
        [appId],
      )
    ).rows;
    const lastIndex = pending ? Number.parseInt(pending.commit_sha, 16) - 2_000_000 : NaN;
    console.log(
      `\n  watched-branch outcomes: ${outcomes.rows.map((row) => `${row.outcome} ${row.count}`).join(', ')}; ` +
        `pending deployment(s): ${pending?.count ?? 0}, deploying push #${lastIndex} of ${WATCHED_REQUESTS}`,
    );
  } finally {
    await receiver.close();
    await baseline.close();
    await runtime.stopDeployRuntime();
    await (await database()).close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
