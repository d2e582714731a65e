// A real Caddy (/usr/bin/caddy, Debian's 2.6.2) with its internal issuer and a file_system storage in a temporary
// directory issues a certificate when asked for it over TLS; the collector records it as the domain's certificate.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decryptSecret, type KeyRing } from '@/lib/crypto';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertApplication, insertDomain, newProject, newUser, uniqueName } from '@/lib/testing/fixtures';

import { collectProxyCertificates } from './collect';
import { keyMatches } from './pem';
import { PRIVATE_KEY_AAD } from './private-key';

let test: TestDatabase;
let dir: string;
let caddy: ChildProcess;
let port: number;
const name = `${uniqueName('tls')}.example.test`;
let domainId: string;
const ring: KeyRing = { current: 1, keys: new Map([[1, randomBytes(32)]]) };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resolves once Caddy logs that it serves the config (its log is JSON lines on stderr). */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('serving initial configuration')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`caddy exited with ${code}:\n${log}`)));
  });
}

/** The leaf certificate Caddy presents for `servername` on 127.0.0.1. */
function handshake(servername: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const peer = socket.getPeerX509Certificate();
      socket.end();
      if (peer) resolve(peer);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  test = await createTestDatabase();
  const owner = await newUser(test);
  const project = await newProject(test, owner);
  const app = await insertApplication(test.db.pool, project.id);
  domainId = (
    await insertDomain(test.db.pool, { projectId: project.id, type: 'application', id: app.id }, { domain: name })
  ).id;

  dir = await mkdtemp(join(tmpdir(), 'slipway-caddy-'));
  port = await freePort();
  const config = {
    admin: { disabled: true },
    storage: { module: 'file_system', root: join(dir, 'storage') },
    apps: {
      pki: { certificate_authorities: { local: { install_trust: false } } },
      tls: { automation: { policies: [{ issuers: [{ module: 'internal' }], on_demand: true }] } },
      http: {
        http_port: await freePort(),
        https_port: port,
        servers: {
          edge: {
            listen: [`127.0.0.1:${port}`],
            automatic_https: { disable_redirects: true },
            tls_connection_policies: [{}],
            routes: [{ handle: [{ handler: 'static_response', body: 'ok' }] }],
          },
        },
      },
    },
  };
  await writeFile(join(dir, 'caddy.json'), JSON.stringify(config));
  const home = { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  caddy = spawn('/usr/bin/caddy', ['run', '--config', join(dir, 'caddy.json')], {
    env: { ...process.env, ...home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await started(caddy);
}, 60_000);

afterAll(async () => {
  if (caddy && caddy.exitCode === null) {
    const exited = new Promise((resolve) => caddy.once('exit', resolve));
    caddy.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
  await test?.drop();
});

describe('collectProxyCertificates', () => {
  it("records the certificate Caddy's internal issuer made for a domain, once, with its key encrypted", async () => {
    const served = await handshake(name);
    expect(served.subjectAltName).toBe(`DNS:${name}`);
    // Something Caddy issued that is not a domain of ours is left alone.
    await handshake(`${uniqueName('stranger')}.example.test`);

    const storageRoot = join(dir, 'storage');
    const first = await collectProxyCertificates(test.db.prisma, { storageRoot, ring });
    expect(first.recorded).toBe(1);
    expect(first.skipped.map((s) => s.reason)).toEqual(['no domain of ours']);

    const { rows } = await test.systemPool.query(
      'SELECT issuer, source, fingerprint, expires_at, private_key, certificate FROM certificates WHERE domain_id = $1',
      [domainId],
    );
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.source).toBe('internal');
    expect(row.issuer).toMatch(/^Caddy Local Authority/);
    expect(row.fingerprint).toBe(served.fingerprint256.replace(/:/g, '').toLowerCase());
    expect((row.expires_at as Date).getTime()).toBe(new Date(served.validTo).getTime());
    expect(row.private_key).toMatch(/^enc:v1:1:/);
    const key = createPrivateKey(decryptSecret(ring, row.private_key as string, PRIVATE_KEY_AAD));
    expect(keyMatches(new X509Certificate(row.certificate as string), key)).toBe(true);

    // A second pass records nothing new and says it saw it.
    const second = await collectProxyCertificates(test.db.prisma, { storageRoot, ring });
    expect(second).toMatchObject({ recorded: 0, seen: 1 });
    const { rows: again } = await test.systemPool.query('SELECT 1 FROM certificates WHERE domain_id = $1', [domainId]);
    expect(again).toHaveLength(1);
  });

  it('an empty or missing storage is nothing to record', async () => {
    expect(await collectProxyCertificates(test.db.prisma, { storageRoot: join(dir, 'nowhere'), ring })).toEqual({
      recorded: 0,
      seen: 0,
      skipped: [],
    });
  });
});
