// bench: deployment log latency, line written through the sink (lib/deploy/log-sink.ts) → received by SSE clients
// over HTTP (deploymentLogsResponse behind a plain Node server on 127.0.0.1, clients in a worker thread so their
// parsing does not share the writer's event loop). Prints p50/p99 with 1 and 100 viewers, then the highest rate
// (lines/s) every viewer keeps up with, no line lost or out of order. Baselines measured in the same run: a raw
// INSERT + SELECT round trip, and a raw NOTIFY → LISTEN hop.
// Usage: npx tsx bench/log-latency.ts     (needs PostgreSQL at TEST_DATABASE_ADMIN_URL, as the integration tests)
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

import { openDatabase, type Database } from '@/lib/db/connection';
import { deploymentLogsResponse } from '@/lib/deploy/log-response';
import { createLogSink } from '@/lib/deploy/log-sink';
import { createTestDatabase, MIGRATIONS_DIR } from '@/lib/testing/database';
import setup from '@/lib/testing/global-setup';

import { fmt, pct, startServer } from './support';

/** A user owning a project with one application (lib/testing/fixtures imports vitest, so not from there). */
async function insertAppTree(pool: Database['pool']): Promise<{ userId: string; appId: string }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.rls_bypass', 'on', true)`);
    const user = await client.query<{ id: string }>(
      `INSERT INTO users (username, email, auth_provider) VALUES ('bench', 'bench@example.com', 'github') RETURNING id`,
    );
    const userId = user.rows[0]!.id;
    const project = await client.query<{ id: string }>(
      `INSERT INTO projects (name, owner_id) VALUES ('bench', $1) RETURNING id`,
      [userId],
    );
    const app = await client.query<{ id: string }>(
      `INSERT INTO applications (project_id, name, type, source_type) VALUES ($1, 'bench', 'git', 'github') RETURNING id`,
      [project.rows[0]!.id],
    );
    await client.query('COMMIT');
    return { userId, appId: app.rows[0]!.id };
  } finally {
    client.release();
  }
}

// The bench's own rows are written and read as the system (deployments and their logs have row-level security).
let systemPool: Database['pool'] | undefined;
const system = () => systemPool!;

async function insertDeployment(pool: Database['pool'], appId: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO deployments (application_id, status) VALUES ($1, 'building') RETURNING id`,
    [appId],
  );
  return rows[0]!.id;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The viewers: N fetch() connections reading events; each line's message is "<seq> <written at>".
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const now = () => performance.timeOrigin + performance.now();
async function view(url, latencies) {
  const response = await fetch(url);
  if (response.status !== 200) { parentPort.postMessage({ connected: 1 }); return { received: 0, disorder: 0, failed: 1 }; }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '', next = 0, disorder = 0, connected = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end;
    while ((end = text.indexOf('\\n\\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      if (!connected && block.includes('event: status')) { connected = true; parentPort.postMessage({ connected: 1 }); }
      const at = block.indexOf('\\ndata: ');
      if (!block.includes('event: log') || at < 0) continue;
      const { message } = JSON.parse(block.slice(at + 7));
      const [seq, written] = message.split(' ');
      latencies.push(now() - Number(written));
      if (Number(seq) !== next) disorder += 1;
      next = Number(seq) + 1;
    }
  }
  return { received: next, disorder };
}
(async () => {
  const latencies = [];
  // Viewers arrive ten at a time, 20 ms apart (a page opened by many people, not one synchronised burst).
  const viewers = await Promise.all(Array.from({ length: workerData.viewers }, (_, i) =>
    new Promise((resolve) => setTimeout(resolve, Math.floor(i / 10) * 20)).then(() => view(workerData.url, latencies))));
  parentPort.postMessage({ done: true, latencies, viewers, finishedAt: now() });
})();
`;

type ClientResult = { latencies: number[]; viewers: { received: number; disorder: number }[]; finishedAt: number };

/** deploymentLogsResponse (the route's body) behind a plain Node server, as the route serves it. */
function logsHandler(db: Database, userId: string): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const user = { id: userId, role: 'developer' as const };
    void deploymentLogsResponse({ user, deploymentId: url.searchParams.get('d') ?? '', signal: abort.signal, db }).then(
      (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) Readable.fromWeb(response.body as never).pipe(res);
        else res.end();
      },
      (error: Error) => {
        console.error(`  (a viewer's request failed: ${error.message.split('\n').at(-1)})`);
        res.writeHead(500).end();
      },
    );
  };
}

/** Opens `viewers` SSE connections, writes `rate` lines/s for `seconds`, ends the deployment, waits for the viewers. */
async function run(
  db: Database,
  base: string,
  appId: string,
  opts: { viewers: number; rate: number; seconds: number },
) {
  const deploymentId = await insertDeployment(system(), appId);
  const worker = new Worker(CLIENT, {
    eval: true,
    workerData: { url: `${base}/?d=${deploymentId}`, viewers: opts.viewers },
  });
  let connected = 0;
  const result = new Promise<ClientResult>((resolve, reject) => {
    worker.on('message', (message: { connected?: number } & Partial<ClientResult>) => {
      if (message.connected) connected += 1;
      else resolve(message as ClientResult);
    });
    worker.on('error', reject);
  });
  while (connected < opts.viewers) await sleep(10);

  const sink = createLogSink(db.pool, deploymentId);
  const total = Math.round(opts.rate * opts.seconds);
  const started = now();
  let written = 0;
  let maxBuffered = 0;
  while (written < total) {
    // Catch up to where the clock says we should be: ticks of ~5 ms, at the exact average rate.
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * opts.rate));
    for (; written < due; written += 1) sink.write('info', `${written} ${now()}`);
    maxBuffered = Math.max(maxBuffered, sink.buffered);
    await sleep(5);
  }
  const writeSeconds = (now() - started) / 1000;
  await sink.close();
  const lastWrite = now();
  await system().query(`UPDATE deployments SET status = 'success' WHERE id = $1`, [deploymentId]);
  const client = await Promise.race([result, sleep(60_000).then(() => null)]);
  await worker.terminate();
  if (!client) {
    const none = { achieved: NaN, maxBuffered, drainMs: NaN, p50: NaN, p99: NaN, lost: NaN, disorder: NaN };
    return { ok: false, total, ...none, note: 'viewers did not finish within 60 s' };
  }
  const lost = client.viewers.reduce((sum, v) => sum + (total - v.received), 0);
  const disorder = client.viewers.reduce((sum, v) => sum + v.disorder, 0);
  const sorted = client.latencies.sort((a, b) => a - b);
  return {
    ok: lost === 0 && disorder === 0,
    total,
    achieved: total / writeSeconds,
    maxBuffered,
    drainMs: client.finishedAt - lastWrite,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    lost,
    disorder,
    note: '',
  };
}

async function baselines(db: Database, appId: string) {
  const deploymentId = await insertDeployment(system(), appId);
  const roundTrips: number[] = [];
  for (let i = 0; i < 300; i += 1) {
    const start = now();
    const { rows } = await system().query<{ id: string }>(
      `INSERT INTO deployment_logs (deployment_id, message) VALUES ($1, $2) RETURNING id`,
      [deploymentId, `raw ${i}`],
    );
    await system().query('SELECT message FROM deployment_logs WHERE deployment_id = $1 AND id = $2', [
      deploymentId,
      rows[0]!.id,
    ]);
    roundTrips.push(now() - start);
  }
  const listener = await db.pool.connect();
  const hops: number[] = [];
  let heard: (() => void) | null = null;
  listener.on('notification', () => heard?.());
  await listener.query('LISTEN bench_hop');
  for (let i = 0; i < 300; i += 1) {
    const start = now();
    const arrived = new Promise<void>((resolve) => (heard = resolve));
    await db.pool.query(`SELECT pg_notify('bench_hop', $1)`, [String(i)]);
    await arrived;
    hops.push(now() - start);
  }
  listener.release(true);
  return { roundTrips: roundTrips.sort((a, b) => a - b), hops: hops.sort((a, b) => a - b) };
}

async function main() {
  await setup();
  const test = await createTestDatabase();
  systemPool = test.systemPool;
  // The panel's default pool size (SLIPWAY_DB_POOL_SIZE=10), shared by the sink, the viewers and the listener.
  const db = await openDatabase({
    url: test.url,
    dataDir: '/nonexistent',
    migrationsDir: MIGRATIONS_DIR,
    poolSize: 10,
  });
  const { userId, appId } = await insertAppTree(db.pool);
  const server = await startServer(logsHandler(db, userId));
  const base = server.url('');
  try {
    const base0 = await baselines(db, appId);
    console.log(
      `log latency — PostgreSQL ${(await db.pool.query('SHOW server_version')).rows[0].server_version}, pool 10, sink flushMs 100 / maxBatch 500`,
    );
    console.log('\nbaselines (300 each)                         p50        p99');
    console.log(
      `  raw INSERT + SELECT round trip        ${fmt(pct(base0.roundTrips, 50))} ${fmt(pct(base0.roundTrips, 99))}`,
    );
    console.log(`  raw NOTIFY → LISTEN hop               ${fmt(pct(base0.hops, 50))} ${fmt(pct(base0.hops, 99))}`);

    console.log('\nwrite → SSE receive, 200 lines/s for 5 s      p50        p99   lost');
    for (const viewers of [1, 100]) {
      const r = await run(db, base, appId, { viewers, rate: 200, seconds: 5 });
      console.log(
        `  ${String(viewers).padStart(3)} viewer(s)                        ${fmt(r.p50)} ${fmt(r.p99)}   ${r.lost}${r.note ? ` ${r.note}` : ''}`,
      );
    }

    console.log('\nhighest rate sustained (3 s per step; no loss, in order, p99 write → receive under 1 s)');
    const ladders: [number, number[]][] = [
      [1, [5_000, 10_000, 20_000, 50_000, 100_000]],
      [100, [500, 1_000, 2_000, 5_000, 10_000, 20_000]],
    ];
    for (const [viewers, rates] of ladders) {
      let best = 0;
      for (const rate of rates) {
        const r = await run(db, base, appId, { viewers, rate, seconds: 3 });
        const sustained = r.ok && r.p99 < 1000;
        console.log(
          `  ${String(viewers).padStart(3)} viewer(s) @ ${String(rate).padStart(6)}/s: wrote ${Math.round(r.achieved)}/s, ` +
            `max buffered ${r.maxBuffered}, p50 ${fmt(r.p50).trim()}, p99 ${fmt(r.p99).trim()}, ` +
            `drained ${Math.round(r.drainMs)} ms after, lost ${r.lost}, out of order ${r.disorder}${sustained ? '' : '  ✗'}`,
        );
        if (!sustained) break;
        best = rate;
      }
      console.log(`  → ${viewers} viewer(s): ${best ? `${best} lines/s` : 'below the first step'}`);
    }
  } finally {
    await server.close();
    await db.close();
    await test.drop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
