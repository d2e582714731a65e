// The proxy's wiring with SLIPWAY_PROXY=host against a real Caddy on this host (/usr/bin/caddy, admin API on a unix
// socket in a temp data dir): startEdgeProxy runs the reconciler (its first pass loads our config), a sync request
// is answered by a pass, stop() ends the loop (it resolves once the pass in progress is done), and off starts nothing.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseEnv } from '@/lib/env';
import { freePort } from '@/lib/swarm/test-support';
import { setUpTestDatabase, systemTx } from '@/lib/testing/fixtures';

import { getConfig } from './admin';
import { startEdgeProxy } from './process';
import { requestProxySync } from './sync';
import { startHostCaddy, until, type HostCaddy } from './testing/host-caddy';

const test = setUpTestDatabase();
let dir: string;
let socket: string;
let caddy: HostCaddy;

const syncs = async (): Promise<{ trigger: string; result: string }[]> =>
  (
    await systemTx(test().db.pool, (client) =>
      client.query<{ trigger: string; result: string }>('SELECT trigger, result FROM proxy_syncs ORDER BY id'),
    )
  ).rows;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-edge-'));
  await mkdir(path.join(dir, 'proxy'));
  socket = path.join(dir, 'proxy', 'admin.sock');
  caddy = await startHostCaddy(dir, socket);
}, 30_000);

afterAll(async () => {
  await caddy?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('startEdgeProxy', () => {
  it('starts nothing when SLIPWAY_PROXY is off', async () => {
    expect(await startEdgeProxy(test().db, parseEnv({ SLIPWAY_DATA_DIR: dir }))).toBeNull();
  });

  it('in host mode runs the reconciler on the default socket under the data dir, and stops cleanly', async () => {
    const config = parseEnv({
      SLIPWAY_PROXY: 'host',
      SLIPWAY_DATA_DIR: dir,
      SLIPWAY_PROXY_HTTP_PORT: String(await freePort()),
      SLIPWAY_PROXY_HTTPS_PORT: String(await freePort()),
    });
    const lines: string[] = [];
    const edge = await startEdgeProxy(test().db, config, { log: (line) => lines.push(line), intervalMs: 600_000 });
    expect(edge).not.toBeNull();
    // The pass at start loaded our config (the admin API stays on the same socket).
    await until('the start pass', async () =>
      (await syncs()).some((row) => row.trigger === 'start') ? true : undefined,
    );
    expect((await syncs()).find((row) => row.trigger === 'start')?.result).toBe('loaded');
    expect(await getConfig(socket)).toMatchObject({ admin: { listen: `unix/${socket}` } });
    // A request (NOTIFY) is answered by a pass.
    requestProxySync('probe-before', test().db.pool);
    await until('the requested pass', async () =>
      (await syncs()).some((row) => row.trigger === 'probe-before') ? true : undefined,
    );
    await edge!.stop();
    expect(lines.filter((line) => /failed/.test(line))).toEqual([]);
  }, 60_000);
});
