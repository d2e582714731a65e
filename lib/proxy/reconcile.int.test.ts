// The reconciler against a real Caddy (Debian's /usr/bin/caddy on this host, admin API on a unix socket in a temp
// dir) and a real database: load, unchanged, drift repaired (an edit, a restart with no config), a config Caddy
// refuses leaves the previous one serving, and an unreachable Caddy is recorded.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from '@/lib/swarm/test-support';
import {
  insertApplication,
  insertDeployment,
  insertDomain,
  insertProject,
  insertUser,
  setUpTestDatabase,
  systemTx,
} from '@/lib/testing/fixtures';

import { loadConfig } from './admin';
import { reconcileProxy, type ProxyTarget } from './reconcile';
import { startHostCaddy, until, type HostCaddy } from './testing/host-caddy';

const test = setUpTestDatabase();
let dir: string;
let socket: string;
let upstream: http.Server;
let upstreamPort: number;
let target: ProxyTarget;

let caddy: HostCaddy | undefined;

async function startCaddy(): Promise<void> {
  caddy = await startHostCaddy(dir, socket);
}

async function stopCaddy(): Promise<void> {
  const running = caddy;
  caddy = undefined;
  await running?.stop();
}

function get(port: number, host: string, pathname = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      // A connection of its own: Caddy closes idle keep-alive connections when a new config replaces its servers,
      // and a request on one of those would fail with "socket hang up" (a browser retries it; this client would not).
      .get({ host: '127.0.0.1', port, path: pathname, headers: { host }, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function lastSyncs(n: number): Promise<{ result: string; error: string | null; route_count: number }[]> {
  const { rows } = await systemTx(test().db.pool, (client) =>
    client.query('SELECT result, error, route_count FROM proxy_syncs ORDER BY id DESC LIMIT $1', [n]),
  );
  return rows as { result: string; error: string | null; route_count: number }[];
}

let domainId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-caddy-'));
  socket = path.join(dir, 'admin.sock');
  upstream = http.createServer((req, res) => res.end(`upstream saw ${req.headers.host} ${req.url}`));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
  target = {
    admin: socket,
    adminListen: socket,
    httpPort: await freePort(),
    httpsPort: await freePort(),
    panelUpstream: '127.0.0.1:1',
    upstreamFor: () => ({ kind: 'static', dial: `127.0.0.1:${upstreamPort}` }),
  };
  const { pool } = test().db;
  const user = await systemTx(pool, (client) => insertUser(client));
  const project = await insertProject(pool, user.id);
  await systemTx(pool, async (client) => {
    await client.query(
      `INSERT INTO panel_settings (id, acme_ca) VALUES (true, 'internal') ON CONFLICT (id) DO UPDATE SET acme_ca = 'internal'`,
    );
    const app = await insertApplication(client, project.id, { name: 'web', status: 'running' });
    await insertDeployment(client, app.id, { status: 'success' });
    const domain = await insertDomain(
      client,
      { projectId: project.id, type: 'application', id: app.id },
      { domain: 'plain.reconcile.test', tls_enabled: false },
    );
    domainId = domain.id;
    await insertDomain(
      client,
      { projectId: project.id, type: 'application', id: app.id },
      { domain: 'secure.reconcile.test', tls_enabled: true },
    );
    // A stopped application's domain gets no route.
    const stopped = await insertApplication(client, project.id, { name: 'idle', status: 'stopped' });
    await insertDomain(
      client,
      { projectId: project.id, type: 'application', id: stopped.id },
      { domain: 'idle.reconcile.test' },
    );
  });
  await startCaddy();
}, 30_000);

afterAll(async () => {
  await stopCaddy();
  await new Promise((resolve) => upstream?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('reconcileProxy against a real Caddy', () => {
  it('loads the routes, then finds nothing to do', async () => {
    const started = performance.now();
    const first = await reconcileProxy('test', { pool: test().db.pool, target });
    console.log(`first load: ${(performance.now() - started).toFixed(0)} ms`);
    expect(first).toMatchObject({ result: 'loaded', routeCount: 2, error: null });
    const answer = await until('Caddy routes plain.reconcile.test', async () => {
      const response = await get(target.httpPort, 'plain.reconcile.test', '/hello?x=1');
      return response.status === 200 ? response : undefined;
    });
    expect(answer.body).toBe('upstream saw plain.reconcile.test /hello?x=1');
    // The TLS name redirects to https; the stopped application's name is not routed at all.
    expect((await get(target.httpPort, 'secure.reconcile.test')).status).toBe(308);
    // (Caddy answers an unmatched request with an empty 200.)
    expect((await get(target.httpPort, 'idle.reconcile.test')).body).toBe('');
    const { rows } = await systemTx(test().db.pool, (client) =>
      client.query('SELECT domain, routed_at FROM domains ORDER BY domain'),
    );
    expect(rows.map((row: { domain: string; routed_at: Date | null }) => [row.domain, row.routed_at !== null])).toEqual(
      [
        ['idle.reconcile.test', false],
        ['plain.reconcile.test', true],
        ['secure.reconcile.test', true],
      ],
    );

    const second = await reconcileProxy('test', { pool: test().db.pool, target });
    expect(second).toMatchObject({ result: 'unchanged', configHash: first.configHash });
  });

  it('repairs drift: someone loaded another config', async () => {
    await loadConfig(socket, { admin: { listen: `unix/${socket}`, config: { persist: false } } });
    expect((await reconcileProxy('test', { pool: test().db.pool, target })).result).toBe('repaired');
    expect((await get(target.httpPort, 'plain.reconcile.test')).status).toBe(200);
  });

  it('repairs drift: Caddy restarted with no routes', async () => {
    await stopCaddy();
    await startCaddy();
    expect((await reconcileProxy('test', { pool: test().db.pool, target })).result).toBe('repaired');
    expect((await get(target.httpPort, 'plain.reconcile.test')).status).toBe(200);
  });

  it('records a config Caddy refuses, and the previous one keeps serving', async () => {
    // Caddy cannot listen on a port another process holds: it refuses the whole load.
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      await systemTx(test().db.pool, (client) =>
        client.query(`UPDATE domains SET path_prefix = '/v2', updated_at = now() WHERE id = $1`, [domainId]),
      );
      const refused = await reconcileProxy('test', { pool: test().db.pool, target: { ...target, httpPort: taken } });
      expect(refused.result).toBe('rejected');
      expect(refused.error).toMatch(/address already in use/);
      expect((await lastSyncs(1))[0]).toMatchObject({ result: 'rejected' });
      // Still the old config: the old port answers, every path of the name is still routed.
      expect((await get(target.httpPort, 'plain.reconcile.test', '/not-v2')).body).toMatch(/^upstream saw/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    // The next good pass loads the change (the rejected config was never running).
    expect((await reconcileProxy('test', { pool: test().db.pool, target })).result).toBe('loaded');
    expect((await get(target.httpPort, 'plain.reconcile.test', '/not-v2')).body).toBe('');
    expect((await get(target.httpPort, 'plain.reconcile.test', '/v2/x')).body).toMatch(/^upstream saw/);
  });

  it('records an unreachable Caddy', async () => {
    const gone = await reconcileProxy('test', {
      pool: test().db.pool,
      target: { ...target, admin: path.join(dir, 'nobody.sock') },
    });
    expect(gone.result).toBe('unreachable');
    expect(gone.error).toMatch(/not reachable/);
  });

  it('loads 1,000 domains (timed)', async () => {
    await systemTx(test().db.pool, (client) =>
      client.query(
        `INSERT INTO domains (project_id, domain, target_type, target_id, tls_enabled)
         SELECT project_id, 'app' || n || '.bulk.test', target_type, target_id, n % 2 = 0
           FROM domains, generate_series(1, 1000) n WHERE id = $1`,
        [domainId],
      ),
    );
    const started = performance.now();
    const record = await reconcileProxy('test', { pool: test().db.pool, target });
    const ms = performance.now() - started;
    console.log(`reconcile + Caddy load of ${record.routeCount} routes: ${ms.toFixed(0)} ms`);
    expect(record).toMatchObject({ result: 'loaded', routeCount: 1002 });
    expect((await get(target.httpPort, 'app999.bulk.test')).body).toMatch(/^upstream saw app999.bulk.test/);
  }, 60_000);

  it('keeps the newest 500 records', async () => {
    await systemTx(test().db.pool, (client) =>
      client.query(
        `INSERT INTO proxy_syncs (trigger, result) SELECT 'filler', 'unchanged' FROM generate_series(1, 600)`,
      ),
    );
    await reconcileProxy('test', { pool: test().db.pool, target });
    const { rows } = await systemTx(test().db.pool, (client) =>
      client.query('SELECT count(*)::int AS n FROM proxy_syncs'),
    );
    expect(rows[0].n).toBe(500);
  });
});
