// bench: the built panel's pages at the budget's scale ("pages p95 < 100 ms with 10k apps and 1M log and audit rows"):
// one developer owning 100 projects of 100 applications, 1,000,000 deployment_logs and 1,000,000 audit_logs rows.
// Starts `node scripts/server.mjs` on that database (npm run build first), signs in over HTTP, and times sequential
// GETs of each page to the last byte (3 warm-ups, then 40 runs), next to GET /api/health measured in the same run
// as the baseline. Usage: npx tsx bench/panel-pages.ts   (seeding takes a minute or two)
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';

import bcrypt from 'bcryptjs';

import { AUDIT_RESOURCE_TYPES } from '@/lib/audit/write';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import setup from '@/lib/testing/global-setup';
import { encodeCursor } from '@/lib/validation/dashboard';

import { freePort, ms, pct, ROOT, startPanel, stopProcess } from './support';

const PROJECTS = 100;
const APPS_PER_PROJECT = 100;
const LOG_ROWS = 1_000_000;
const AUDIT_ROWS = 1_000_000;
const BATCH = 250_000;
const WARMUP = 3;
const RUNS = 40;
const ASSET_BUDGET_KB = 150;
const BUDGET_MS = 100;
const USERNAME = 'bench_dev';
const PASSWORD = 'bench-password-1234';
const ACTIONS = [
  'auth.sign_in',
  'project.update',
  'application.create',
  'application.update',
  'application.deploy',
  'env.update',
  'domain.create',
  'token.create',
];
// What the Settings tab's form accepts as stored (lib/validation/docker-config.ts), so it renders the form, not a warning.
const DOCKER_CONFIG = {
  ports: [{ target: 8080, published: 8080, protocol: 'tcp', mode: 'ingress' }],
  healthcheck: {
    test: ['CMD', 'curl', '-f', 'http://localhost:8080/health'],
    interval: '30s',
    timeout: '5s',
    retries: 3,
  },
  resources: {
    limits: { memory: '512M', memory_bytes: 536870912, cpus: '0.5' },
    reservations: { memory: '256M', memory_bytes: 268435456 },
  },
  networks: ['dokploy-app'],
};
const ENV_KEYS = [
  'NODE_ENV',
  'PORT',
  'API_VERSION',
  'LOG_LEVEL',
  'DATABASE_URL',
  'REDIS_URL',
  'SENTRY_DSN',
  'JWT_SECRET',
  'S3_BUCKET',
  'S3_REGION',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_PASSWORD',
  'FEATURE_FLAGS',
  'CACHE_TTL',
  'WORKERS',
  'TZ',
  'PUBLIC_URL',
  'STRIPE_KEY',
  'OTEL_ENDPOINT',
];

const secs = (start: number) => `${(ms(start) / 1000).toFixed(1)} s`;

type Seeded = {
  userId: string;
  projectId: string;
  projectName: string;
  appId: string;
  appName: string;
  deploymentId: string;
  appsCursor: string;
  nextAppName: string;
};

async function seed(test: TestDatabase): Promise<Seeded> {
  const pool = test.systemPool; // every tenant table has row-level security: the seed writes as the system
  const hash = await bcrypt.hash(PASSWORD, 12);
  const client = await pool.connect();
  try {
    // projects has FORCE row-level security, and the applications, env vars, deployments and volumes below are made
    // by selecting from it: all of it in one transaction that opts out, as the seed and the worker do.
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.rls_bypass', 'on', true)");
    const userId = (
      await client.query<{ id: string }>(
        `INSERT INTO users (username, email, password_hash, role) VALUES ($1::text, $1::text || '@example.test', $2, 'developer') RETURNING id`,
        [USERNAME, hash],
      )
    ).rows[0]!.id;
    await client.query(
      `INSERT INTO projects (name, description, owner_id, metadata)
      SELECT format('proj-%s', lpad(p::text, 3, '0')), format('Benchmark project %s', p), $1,
             jsonb_build_object('tags', jsonb_build_array(CASE WHEN p % 2 = 0 THEN 'production' ELSE 'staging' END, 'team-' || p % 5))
        FROM generate_series(0, ${PROJECTS - 1}) p`,
      [userId],
    );
    // Statuses in fixed proportions (6 running, 2 stopped, 1 failed, 1 deploying in 10), so every badge shows.
    await client.query(
      `INSERT INTO applications (project_id, name, type, status, source_type, source_config, docker_config, replicas)
      SELECT p.id, n.name, 'git', (ARRAY['running','running','running','running','running','running','stopped','stopped','failed','deploying'])[1 + a % 10],
             'github', jsonb_build_object('repository', 'mycompany/' || n.name, 'branch', 'main', 'build_context', '.', 'dockerfile', 'Dockerfile'),
             $1::jsonb, 1 + a % 3
        FROM projects p CROSS JOIN generate_series(0, ${APPS_PER_PROJECT - 1}) a
        CROSS JOIN LATERAL (SELECT format('%s-app-%s', p.name, lpad(a::text, 2, '0')) AS name) n`,
      [JSON.stringify(DOCKER_CONFIG)],
    );
    const first = (
      await client.query<{ id: string; name: string }>(`SELECT id, name FROM projects ORDER BY name, id LIMIT 1`)
    ).rows[0]!;
    const apps = (
      await client.query<{ id: string; name: string }>(
        `SELECT id, name FROM applications WHERE project_id = $1 ORDER BY name, id`,
        [first.id],
      )
    ).rows;
    // Every 5th variable is a secret. Its value is never decrypted by the pages measured, so a stand-in will do.
    await client.query(
      `INSERT INTO env_vars (application_id, key, value, is_secret)
      SELECT a.id, k.key, CASE WHEN k.n % 5 = 0 THEN 'bench:' || md5(a.id::text || k.key) ELSE 'value-' || k.n || '-' || a.name END, k.n % 5 = 0
        FROM applications a CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS k(key, n)
       WHERE a.project_id = $1`,
      [first.id, ENV_KEYS],
    );
    // Within the last 25 days, so the panel's retention at start (logs 30 days, deployments 90) deletes none of it.
    await client.query(
      `INSERT INTO deployments (application_id, triggered_by, status, commit_sha, metadata, started_at, completed_at)
      SELECT a.id, $2, (ARRAY['success','success','failed','success','rolled_back'])[d], md5(a.id::text || d) || left(md5(d::text), 8),
             jsonb_build_object('trigger', CASE WHEN d % 2 = 0 THEN 'manual' ELSE 'webhook' END), s.at, s.at + interval '100 seconds'
        FROM applications a CROSS JOIN generate_series(1, 5) d
        CROSS JOIN LATERAL (SELECT now() - make_interval(days => d * 4, mins => (hashint4(d) & 1023))) s(at)
       WHERE a.project_id = $1`,
      [first.id, userId],
    );
    // One volume per application of the first project and 10 detached ones, so both volume pages list something.
    await client.query(
      `INSERT INTO volumes (name, mount_path, size_gb, application_id)
      SELECT name || '-data', '/data', 1 + abs(hashtext(name)) % 8, id FROM applications WHERE project_id = $1`,
      [first.id],
    );
    await client.query(
      `INSERT INTO volumes (name, mount_path, size_gb, project_id)
      SELECT format('spare-%s', v), '/spare', 5, $1 FROM generate_series(1, 10) v`,
      [first.id],
    );
    await client.query('COMMIT');

    // 2,000 lines per deployment, 50 ms apart from its start.
    for (let lo = 0; lo < LOG_ROWS; lo += BATCH) {
      await pool.query(
        `WITH d AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(started_at ORDER BY id) AS starts, count(*)::int AS n FROM deployments)
        INSERT INTO deployment_logs (deployment_id, level, message, created_at)
        SELECT d.ids[1 + g % d.n], (ARRAY['debug','info','info','info','info','info','warn','error'])[1 + (hashint4(g) & 7)],
               format('step %s/%s: building layer sha256:%s', g / d.n, ${LOG_ROWS} / d.n, md5(g::text)),
               d.starts[1 + g % d.n] + (g / d.n) * interval '50 milliseconds'
          FROM generate_series($1::int, $1::int + ${BATCH - 1}) g CROSS JOIN d`,
        [lo],
      );
    }

    // As bench/audit-page.ts: 12 monthly partitions made first, rows spread evenly over them; one in 20 by the system.
    const { rows } = await pool.query<{ start: Date; end: Date }>(
      `SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '11 months') AT TIME ZONE 'UTC' AS start, now() AS "end"`,
    );
    const { start, end } = rows[0]!;
    await pool.query('SELECT ensure_audit_log_partitions(11, $1::date)', [start.toISOString().slice(0, 10)]);
    for (let lo = 1; lo <= AUDIT_ROWS; lo += BATCH) {
      await pool.query(
        `INSERT INTO audit_logs (user_id, action, resource_type, resource_id, details, ip_address, user_agent, created_at)
        SELECT CASE WHEN h.sys % 20 = 0 THEN NULL ELSE $7::uuid END, ($1::text[])[1 + h.act % $2], ($3::text[])[1 + h.res % 7],
               md5('resource-' || h.res)::uuid, jsonb_build_object('name', 'resource-' || h.res, 'seq', g),
               ('10.0.' || (h.res % 250) || '.' || (1 + h.act % 250))::inet, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
               $5::timestamptz + ($6::timestamptz - $5::timestamptz) * ((g - 0.5) / ${AUDIT_ROWS})::float8
          FROM generate_series($4::int, $4::int + ${BATCH - 1}) g
          CROSS JOIN LATERAL (SELECT hashint4(g * 3 + 1) & 2147483647 AS act, (hashint4(g * 5 + 2) & 2147483647) % 5000 AS res,
                                     hashint4(g * 7 + 3) & 2147483647 AS sys) h`,
        [ACTIONS, ACTIONS.length, AUDIT_RESOURCE_TYPES, lo, start, end, userId],
      );
    }
    await pool.query('REFRESH MATERIALIZED VIEW application_stats');
    await pool.query('ANALYZE');
    // The first application's newest deployment: its page is measured too (2,000 log lines, read by its stream).
    const deployment = (
      await pool.query<{ id: string }>(
        'SELECT id FROM deployments WHERE application_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1',
        [apps[0]!.id],
      )
    ).rows[0]!;
    // The project page pages by 100, so 100 applications fit on one page: a cursor after the 50th (the link the Pager
    // would make) still times the ?apps= path, with the last 50 applications.
    return {
      userId,
      projectId: first.id,
      projectName: first.name,
      appId: apps[0]!.id,
      appName: apps[0]!.name,
      deploymentId: deployment.id,
      appsCursor: encodeCursor(apps[APPS_PER_PROJECT / 2 - 1]!),
      nextAppName: apps[APPS_PER_PROJECT / 2]!.name,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** next-auth's credentials sign-in, as lib/auth/client.ts does it, with the cookies carried by hand. */
async function signIn(base: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const [, name = '', value = ''] of response.headers
      .getSetCookie()
      .map((line) => /^([^=]+)=([^;]*)/.exec(line) ?? []))
      jar.set(name, value);
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-auth-return-redirect': '1', cookie: header() },
    body: new URLSearchParams({
      identifier: USERNAME,
      password: PASSWORD,
      csrfToken,
      callbackUrl: `${base}/`,
      json: 'true',
    }),
  });
  keep(response);
  if (![...jar.keys()].some((name) => name.endsWith('session-token'))) {
    throw new Error(
      `Sign-in gave no session cookie (HTTP ${response.status}: ${(await response.text()).slice(0, 300)})`,
    );
  }
  return header();
}

type Page = { label: string; path: string; expect: string[] };
type Result = {
  label: string;
  p50: number;
  p95: number;
  max: number;
  bytes: number;
  gzBytes: number;
  assetsGz: number;
};

// First-load JS+CSS of a page as a browser fetches it: every <script src> (except the nomodule polyfills, which
// modern browsers skip) and stylesheet <link> of the HTML, each gzipped here. Assets are shared between pages, so
// each one is fetched once per run.
const assetGz = new Map<string, Promise<number>>();
async function firstLoadGz(base: string, html: string): Promise<number> {
  const urls = new Set<string>();
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    const src = /\bsrc="([^"]+)"/.exec(tag)?.[1];
    if (src && !/\bnoModule\b|\bnomodule\b/.test(tag)) urls.add(src);
  }
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href && /\brel="stylesheet"/.test(tag)) urls.add(href);
  }
  const sizes = await Promise.all(
    [...urls].map((url) => {
      let size = assetGz.get(url);
      if (!size) {
        size = fetch(new URL(url.replace(/&amp;/g, '&'), base)).then(
          async (response) => gzipSync(Buffer.from(await response.arrayBuffer())).length,
        );
        assetGz.set(url, size);
      }
      return size;
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

async function measure(base: string, cookie: string, page: Page): Promise<Result> {
  const get = async () => {
    const started = performance.now();
    // redirect: 'manual' so a bounce to /sign-in is a failure, never a timed page.
    const response = await fetch(base + page.path, { headers: { cookie }, redirect: 'manual' });
    const body = await response.text();
    const elapsed = ms(started);
    const missing = page.expect.find((text) => !body.includes(text));
    if (response.status !== 200 || missing !== undefined) {
      throw new Error(
        `${page.label} (${page.path}): HTTP ${response.status}${missing === undefined ? '' : `, no "${missing}" in the body`}`,
      );
    }
    return { elapsed, body };
  };
  for (let i = 0; i < WARMUP; i += 1) await get();
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < RUNS; i += 1) ({ elapsed: times[i], body } = await get());
  times.sort((a, b) => a - b);
  const assetsGz = page.path.startsWith('/api/') ? 0 : await firstLoadGz(base, body);
  return {
    label: page.label,
    p50: pct(times, 50),
    p95: pct(times, 95),
    max: times.at(-1)!,
    bytes: Buffer.byteLength(body),
    gzBytes: gzipSync(body).length,
    assetsGz,
  };
}

async function main() {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID')))
    throw new Error('This bench runs the built panel: run `npm run build` first.');
  await setup(); // the migrated template database, as the integration tests make it
  const test = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-bench-pages-'));
  let panel: ChildProcess | undefined;
  try {
    let started = performance.now();
    const seeded = await seed(test);
    const counts = (
      await test.systemPool.query<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM applications) AS applications, (SELECT count(*)::int FROM env_vars) AS env_vars,
      (SELECT count(*)::int FROM deployments) AS deployments, (SELECT count(*)::int FROM deployment_logs) AS deployment_logs,
      (SELECT count(*)::int FROM audit_logs) AS audit_logs, (SELECT count(*)::int FROM volumes) AS volumes`)
    ).rows[0]!;
    console.log(
      `seeded in ${secs(started)} (with REFRESH and ANALYZE): ${PROJECTS} projects, ${Object.entries(counts)
        .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
        .join(', ')}`,
    );

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    started = performance.now();
    panel = await startPanel({
      env: {
        ...process.env,
        DATABASE_URL: test.url,
        SLIPWAY_DATA_DIR: dataDir,
        NODE_ENV: 'production',
        HOSTNAME_BIND: '127.0.0.1',
        SLIPWAY_URL: base,
      },
      port,
      log: path.join(dataDir, 'panel.log'),
    });
    const cookie = await signIn(base);
    console.log(`panel healthy and signed in after ${secs(started)}\n`);

    const { projectId: p, projectName, appId: a, appName } = seeded;
    const app = `/projects/${p}/apps/${a}`;
    const pages: Page[] = [
      { label: 'BASELINE GET /api/health', path: '/api/health', expect: ['"status":"ok"'] },
      { label: '/ (dashboard, first page)', path: '/', expect: [projectName, 'proj-049'] },
      // The dashboard's filter field is named q (app/page.tsx).
      { label: '/?q=proj-05 (search)', path: '/?q=proj-05', expect: ['proj-050', 'proj-059'] },
      { label: '/projects/<p>', path: `/projects/${p}`, expect: [projectName, appName] },
      {
        label: '/projects/<p>?apps=<cursor> (page 2)',
        path: `/projects/${p}?apps=${encodeURIComponent(seeded.appsCursor)}`,
        expect: [seeded.nextAppName],
      },
      { label: 'app General', path: app, expect: [appName, 'Name and replicas'] },
      {
        label: 'app Environment (20 vars)',
        path: `${app}/environment`,
        expect: [appName, 'Environment variables (20)'],
      },
      { label: 'app Volumes', path: `${app}/volumes`, expect: [appName, `${appName}-data`] },
      { label: 'app Domains', path: `${app}/domains`, expect: [appName, 'Domains of'] },
      { label: 'app Settings', path: `${app}/settings`, expect: [appName, 'Runtime'] },
      { label: 'app Source', path: `${app}/source`, expect: [appName, `mycompany/${appName}`] },
      { label: 'app Deployments', path: `${app}/deployments`, expect: [appName, 'Duration'] },
      { label: 'a deployment', path: `${app}/deployments/${seeded.deploymentId}`, expect: [appName, 'Triggered by'] },
      { label: 'app Logs', path: `${app}/logs`, expect: [appName] },
      { label: 'app Webhook', path: `${app}/webhook`, expect: [appName, 'Webhook'] },
      { label: '/projects/<p>/delete (preview)', path: `/projects/${p}/delete`, expect: [projectName, 'to confirm'] },
      { label: '/projects/<p>/volumes (110)', path: `/projects/${p}/volumes`, expect: [projectName, 'spare-10'] },
    ];
    const row = (label: string, ...cells: string[]) =>
      console.log(label.padEnd(40) + cells.map((c, i) => c.padStart(i < 3 ? 9 : 10)).join(''));
    row('page', 'p50 ms', 'p95 ms', 'max ms', 'HTML KB', 'gz KB', 'JS+CSS gz');
    const results: Result[] = [];
    for (const page of pages) {
      const r = await measure(base, cookie, page);
      results.push(r);
      row(
        r.label,
        ...[r.p50, r.p95, r.max].map((t) => t.toFixed(1)),
        ...[r.bytes, r.gzBytes, r.assetsGz].map((b) => (b / 1024).toFixed(1)),
      );
    }
    const worst = results.slice(1).reduce((w, r) => (r.p95 > w.p95 ? r : w));
    console.log(
      `\n${RUNS} sequential GETs per page after ${WARMUP} warm-ups, timed to the last byte; gz KB: the HTML gzipped here (zlib default).`,
    );
    const heaviest = results.reduce((w, r) => (r.assetsGz > w.assetsGz ? r : w));
    console.log(
      `heaviest first load: ${(heaviest.assetsGz / 1024).toFixed(1)} KB gz of JS+CSS (${heaviest.label}), budget ${ASSET_BUDGET_KB} KB: ` +
        `${heaviest.assetsGz / 1024 <= ASSET_BUDGET_KB ? 'within' : 'OVER'}`,
    );
    console.log(
      `worst page p95: ${worst.p95.toFixed(1)} ms (${worst.label}), budget ${BUDGET_MS} ms: ${worst.p95 < BUDGET_MS ? 'within' : 'OVER'} ` +
        `(${((worst.p95 / BUDGET_MS) * 100).toFixed(0)}% of it; baseline /api/health p95 ${results[0]!.p95.toFixed(1)} ms)`,
    );
  } finally {
    if (panel) await stopProcess(panel);
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
