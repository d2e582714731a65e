import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decryptSecret, encryptSecret, keyVersionOf, loadKeyRing, type KeyRing } from '@/lib/crypto';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertAppTree, insertDatabase, insertDomain, insertRow } from '@/lib/testing/fixtures';

import { countStale, reencryptAll, rotateSecrets } from './rotate';

const ROOT = path.resolve(__dirname, '../..');
let test: TestDatabase;
let dataDir: string;
let v1: KeyRing;

// Every kind of stored secret, with the plaintext it must still decrypt to after any rotation.
type Stored = { table: string; id: string; column: string; field?: string; aad: string; plaintext: string };
const stored: Stored[] = [];
let plainValueId = '';

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  test.systemPool.query<T>(sql, params).then((result) => result.rows); // every tenant's rows, past row-level security

async function read(item: Stored): Promise<string> {
  if (item.field) {
    const [row] = await q<{ v: string }>(`SELECT webhook_config ->> $2 AS v FROM git_sources WHERE id = $1`, [
      item.id,
      item.field,
    ]);
    return row!.v;
  }
  const [row] = await q<{ v: string }>(`SELECT ${item.column} AS v FROM ${item.table} WHERE id = $1`, [item.id]);
  return row!.v;
}

async function seed() {
  const { projectId, appId } = await insertAppTree(test.db.pool);
  const secret = (plaintext: string, aad: string) => encryptSecret(v1, plaintext, aad);
  const add = (item: Omit<Stored, 'plaintext'>, plaintext: string) => stored.push({ ...item, plaintext });

  for (let i = 0; i < 7; i += 1) {
    const plaintext = `env-secret-${i}-${randomBytes(4).toString('hex')}`;
    const row = await insertRow(test.db.pool, 'env_vars', {
      application_id: appId,
      key: `SECRET_${i}`,
      value: secret(plaintext, 'env_vars.value'),
      is_secret: true,
    });
    add({ table: 'env_vars', id: row.id as string, column: 'value', aad: 'env_vars.value' }, plaintext);
  }
  plainValueId = (
    await insertRow(test.db.pool, 'env_vars', {
      application_id: appId,
      key: 'PLAIN',
      value: 'not-encrypted',
      is_secret: false,
    })
  ).id as string;

  const dsn = 'postgresql://app:pw@db:5432/app';
  const database = await insertDatabase(test.db.pool, projectId, {
    connection_string: secret(dsn, 'databases.connection_string'),
  });
  add({ table: 'databases', id: database.id, column: 'connection_string', aad: 'databases.connection_string' }, dsn);
  await insertDatabase(test.db.pool, projectId, { connection_string: null });

  const domain = await insertDomain(test.db.pool, { projectId, type: 'application', id: appId });
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
  const certificate = await insertRow(test.db.pool, 'certificates', {
    domain_id: domain.id,
    issuer: 'test',
    certificate: 'cert',
    private_key: secret(pem, 'certificates.private_key'),
    expires_at: new Date(Date.now() + 86_400_000),
  });
  add(
    { table: 'certificates', id: certificate.id as string, column: 'private_key', aad: 'certificates.private_key' },
    pem,
  );

  const webhookSecret = randomBytes(12).toString('hex');
  const deployToken = `tok_${randomBytes(6).toString('hex')}`;
  const source = await insertRow(test.db.pool, 'git_sources', {
    application_id: appId,
    provider: 'github',
    repository: 'acme/api',
    webhook_config: {
      secret: secret(webhookSecret, 'git_sources.webhook_config.secret'),
      deploy_token: secret(deployToken, 'git_sources.webhook_config.deploy_token'),
      events: ['push'],
      url: 'https://example.com/hook',
    },
  });
  add(
    {
      table: 'git_sources',
      id: source.id as string,
      column: 'webhook_config',
      field: 'secret',
      aad: 'git_sources.webhook_config.secret',
    },
    webhookSecret,
  );
  add(
    {
      table: 'git_sources',
      id: source.id as string,
      column: 'webhook_config',
      field: 'deploy_token',
      aad: 'git_sources.webhook_config.deploy_token',
    },
    deployToken,
  );
}

async function expectAllOn(version: number) {
  const ring = await loadKeyRing({ dataDir });
  for (const item of stored) {
    const value = await read(item);
    expect(keyVersionOf(value), `${item.table}.${item.field ?? item.column}`).toBe(version);
    expect(decryptSecret(ring, value, item.aad)).toBe(item.plaintext);
  }
}

beforeAll(async () => {
  test = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-rotate-'));
  v1 = await loadKeyRing({ dataDir });
  await seed();
});

afterAll(async () => {
  await test?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('rotateSecrets', () => {
  it('adds key version 2 and moves every secret onto it, in small batches, keeping version 1 in the key file', async () => {
    const result = await rotateSecrets(test.db.prisma, { dataDir, batchSize: 3 });
    expect(result).toMatchObject({ keyVersion: 2, addedKey: true, keySource: 'file', stale: 0, failures: [] });
    expect(result.counts).toEqual([
      { target: 'env_vars.value', scanned: 7, reencrypted: 7, current: 0, failed: 0 },
      { target: 'databases.connection_string', scanned: 1, reencrypted: 1, current: 0, failed: 0 },
      { target: 'certificates.private_key', scanned: 1, reencrypted: 1, current: 0, failed: 0 },
      { target: 'git_sources.webhook_config', scanned: 2, reencrypted: 2, current: 0, failed: 0 },
    ]);
    await expectAllOn(2);
    const ring = await loadKeyRing({ dataDir });
    expect([ring.current, ring.keys.get(1)?.equals(v1.keys.get(1)!)]).toEqual([2, true]);
    expect((await q<{ v: string }>('SELECT value AS v FROM env_vars WHERE id = $1', [plainValueId]))[0]!.v).toBe(
      'not-encrypted',
    );
    const [hook] = await q<{ c: Record<string, unknown> }>('SELECT webhook_config AS c FROM git_sources');
    expect([hook!.c.events, hook!.c.url]).toEqual([['push'], 'https://example.com/hook']);
  });

  it('changes nothing when run again with the same key', async () => {
    const before = await Promise.all(stored.map(read));
    const report = await reencryptAll(test.db.prisma, await loadKeyRing({ dataDir }), { batchSize: 3 });
    expect(report.counts.map((count) => count.reencrypted)).toEqual([0, 0, 0, 0]);
    expect(report.counts.map((count) => count.current)).toEqual([7, 1, 1, 2]);
    expect(await Promise.all(stored.map(read))).toEqual(before);
  });

  it('finishes an unfinished rotation instead of adding another key', async () => {
    const lagging = stored[0]!;
    await q(`UPDATE env_vars SET value = $2 WHERE id = $1`, [
      lagging.id,
      encryptSecret(v1, lagging.plaintext, lagging.aad),
    ]);
    expect(await countStale(test.db.prisma, 2)).toBe(1);
    const result = await rotateSecrets(test.db.prisma, { dataDir });
    expect(result).toMatchObject({ keyVersion: 2, addedKey: false, stale: 1 });
    expect(result.counts[0]).toMatchObject({ reencrypted: 1, current: 6 });
    await expectAllOn(2);
  });

  it('uses SLIPWAY_SECRET_KEY when set: no key is added, everything moves onto its first entry', async () => {
    const file = await loadKeyRing({ dataDir });
    const k3 = randomBytes(32);
    const secretKey = `3:${k3.toString('base64')},2:${file.keys.get(2)!.toString('base64')},1:${file.keys.get(1)!.toString('base64')}`;
    const result = await rotateSecrets(test.db.prisma, { dataDir, secretKey });
    expect(result).toMatchObject({ keyVersion: 3, addedKey: false, keySource: 'env', failures: [] });
    const ring: KeyRing = { current: 3, keys: new Map([...file.keys, [3, k3]]) };
    for (const item of stored) expect(decryptSecret(ring, await read(item), item.aad)).toBe(item.plaintext);
    // Back onto the file's key for the tests below.
    await reencryptAll(test.db.prisma, { ...ring, current: 2 });
    await expectAllOn(2);
  });
});

describe('scripts/secrets-rotate.ts', () => {
  const run = async () => {
    const env = {
      ...process.env,
      DATABASE_URL: test.url,
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_SECRET_KEY: '',
      NODE_ENV: 'production' as const,
    };
    return promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/secrets-rotate.ts'], {
      cwd: ROOT,
      env,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );
  };

  it('rotates onto a new key and prints the counts', async () => {
    const { code, stdout, stderr } = await run();
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Added key version 3');
    expect(stdout).toContain('env_vars.value: 7 re-encrypted, 0 already current, 0 failed');
    expect(stdout).toContain('Done: 11 value(s) re-encrypted onto key version 3.');
    await expectAllOn(3);
    expect(JSON.parse(await readFile(path.join(dataDir, 'secret-keys.json'), 'utf8')).keys).toHaveProperty('1');
  });

  it('exits 1 naming a value it cannot decrypt, leaves that row alone and still moves the rest', async () => {
    const stranger: KeyRing = { current: 3, keys: new Map([[3, randomBytes(32)]]) };
    const bad = encryptSecret(stranger, 'written with a lost key', 'env_vars.value');
    const { appId } = await insertAppTree(test.db.pool);
    const row = await insertRow(test.db.pool, 'env_vars', {
      application_id: appId,
      key: 'LOST',
      value: bad,
      is_secret: true,
    });
    const { code, stdout, stderr } = await run();
    expect(code).toBe(1);
    expect(stdout).toContain('Added key version 4');
    expect(stderr).toContain(`env_vars.value id ${row.id}`);
    expect(stderr).toContain('could not be decrypted and were left unchanged');
    expect(stderr + stdout).not.toContain('written with a lost key');
    expect((await q<{ v: string }>('SELECT value AS v FROM env_vars WHERE id = $1', [row.id]))[0]!.v).toBe(bad);
    await expectAllOn(4);
  });
});
