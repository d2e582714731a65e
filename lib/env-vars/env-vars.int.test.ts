import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';

import type { PlatformRole } from '@/lib/auth/permissions';
import { decryptSecret, type KeyRing } from '@/lib/crypto';
import { asSystem, type Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { actAs, refusal, TEST_META, uniqueName } from '@/lib/testing/fixtures';
import { envKeyCaution } from '@/lib/validation/env';

import { ARCHIVED_MESSAGE } from './access';
import { parseDotenv } from './dotenv';
import { bulkApplyEnv, deleteEnvVar, setEnvVar, translateEnvError } from './mutations';
import { exportDotenv, listEnvVars, revealSecret } from './queries';

// alice owns the personal project (app `api`, archived app `old`) and the team project (app `web`) of a team where
// adam is admin, mia member, vic viewer. bob is a developer outside all of it.
let test: TestDatabase;
const ring: KeyRing = { current: 1, keys: new Map([[1, randomBytes(32)]]) };
const keys = { ring };
type User = { id: string; role: PlatformRole };
const users: Record<'alice' | 'bob' | 'adam' | 'mia' | 'vic', User> = {} as never;
const apps = { api: '', old: '', web: '' };

const prisma = () => test.db.prisma;
// As the user, the env domain's refusals translated as its actions translate them.
const as = <T>(user: User, work: (tx: Tx, context: WorkContext) => Promise<T>) =>
  actAs(test, user, work, translateEnvError);
const sys = <T>(work: (tx: Tx) => Promise<T>) => asSystem(prisma(), work);
/** Everything a row holds, as text, for checking that a secret appears nowhere in it. */
const text = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

const rows = (applicationId: string) =>
  sys((tx) =>
    tx.envVar.findMany({
      where: { applicationId },
      orderBy: { key: 'asc' },
      select: { key: true, value: true, isSecret: true },
    }),
  );
const mirror = async (applicationId: string) =>
  (await sys((tx) => tx.application.findUniqueOrThrow({ where: { id: applicationId }, select: { envVars: true } })))
    .envVars;
const audits = (applicationId: string, action?: string) =>
  sys((tx) => tx.auditLog.findMany({ where: { resourceId: applicationId, action }, orderBy: { id: 'asc' } }));
const set = (
  user: User,
  applicationId: string,
  key: string,
  value: string,
  isSecret = false,
  mode: 'create' | 'update' = 'create',
) => as(user, (tx, c) => setEnvVar(tx, c, { applicationId, key, value, isSecret, mode }, keys));

beforeAll(async () => {
  test = await createTestDatabase();
  await sys(async (tx) => {
    for (const [name, role] of [
      ['alice', 'developer'],
      ['bob', 'developer'],
      ['adam', 'developer'],
      ['mia', 'developer'],
      ['vic', 'developer'],
    ] as const) {
      const username = uniqueName(name);
      users[name] = (await tx.user.create({
        data: { username, email: `${username}@example.com`, authProvider: 'github', role },
        select: { id: true, role: true },
      })) as User;
    }
    const team = await tx.team.create({
      data: {
        name: uniqueName('Team'),
        members: {
          create: [
            ['alice', 'owner'],
            ['adam', 'admin'],
            ['mia', 'member'],
            ['vic', 'viewer'],
          ].map(([u, role]) => ({ userId: users[u as 'alice'].id, role: role! })),
        },
      },
    });
    const personal = await tx.project.create({ data: { name: uniqueName('proj'), ownerId: users.alice.id } });
    const shared = await tx.project.create({
      data: { name: uniqueName('proj'), ownerId: users.alice.id, teamId: team.id },
    });
    const app = (projectId: string, name: string, deletedAt?: Date) =>
      tx.application.create({
        data: {
          projectId,
          name,
          type: 'docker',
          sourceType: 'docker',
          deletedAt,
          status: deletedAt ? 'archived' : 'stopped',
        },
      });
    apps.api = (await app(personal.id, 'api')).id;
    apps.old = (await app(personal.id, 'old', new Date())).id;
    apps.web = (await app(shared.id, 'web')).id;
  });
});

afterAll(async () => {
  await test?.drop();
});

beforeEach(async () => {
  await sys(async (tx) => {
    await tx.envVar.deleteMany({});
    await tx.auditLog.deleteMany({});
  });
});

describe('setEnvVar and listEnvVars', () => {
  it('stores a plain variable as is, mirrors it into applications.env_vars, and audits the key only', async () => {
    const result = await set(users.alice, apps.api, 'NODE_ENV', 'production');
    expect(result).toEqual({ key: 'NODE_ENV', created: true, isSecret: false, caution: null });
    expect(await rows(apps.api)).toEqual([{ key: 'NODE_ENV', value: 'production', isSecret: false }]);
    expect(await mirror(apps.api)).toEqual({ NODE_ENV: 'production' });
    const [entry] = await audits(apps.api, 'env.update');
    expect(entry).toMatchObject({
      userId: users.alice.id,
      resourceType: 'application',
      details: { key: 'NODE_ENV', created: true, stored: 'plain' },
    });
    expect(entry!.ipAddress).toBe(TEST_META.ip);
    expect(text(entry)).not.toContain('production');
  });

  it('stores a secret as a ciphertext, keeps it out of the mirror, and lists it as a mask without a value', async () => {
    const plaintext = `sk_live_${randomBytes(8).toString('hex')}`;
    await set(users.alice, apps.api, 'PORT', '8080');
    await set(users.alice, apps.api, 'STRIPE_KEY', plaintext, true);
    const stored = (await rows(apps.api)).find((row) => row.key === 'STRIPE_KEY')!;
    expect(stored.isSecret).toBe(true);
    expect(stored.value).toMatch(/^enc:v1:1:/);
    expect(stored.value).not.toContain(plaintext);
    expect(decryptSecret(ring, stored.value, 'env_vars.value')).toBe(plaintext);
    expect(await mirror(apps.api)).toEqual({ PORT: '8080' });

    const listed = await as(users.alice, (tx, c) => listEnvVars(tx, c, { applicationId: apps.api }));
    expect(listed).toEqual([
      { key: 'PORT', isSecret: false, masked: false, value: '8080', createdAt: expect.any(Date) },
      { key: 'STRIPE_KEY', isSecret: true, masked: true, createdAt: expect.any(Date) },
    ]);
    expect(text(listed)).not.toContain(plaintext);
    expect(text(listed)).not.toContain('enc:v1');
    expect(text(await audits(apps.api))).not.toContain(plaintext);
  });

  it('keeps a secret when its value is left empty on edit, replaces it when one is typed', async () => {
    await set(users.alice, apps.api, 'TOKEN', 'first', true);
    const before = (await rows(apps.api))[0]!.value;
    await set(users.alice, apps.api, 'TOKEN', '', true, 'update');
    expect((await rows(apps.api))[0]!.value).toBe(before);
    await set(users.alice, apps.api, 'TOKEN', 'second', true, 'update');
    expect(decryptSecret(ring, (await rows(apps.api))[0]!.value, 'env_vars.value')).toBe('second');
  });

  it('encrypts a plain variable made secret, and drops it from the mirror', async () => {
    await set(users.alice, apps.api, 'DB_PASS', 'hunter2');
    await set(users.alice, apps.api, 'DB_PASS', 'hunter3', true, 'update');
    expect((await rows(apps.api))[0]!.value).toMatch(/^enc:v1:/);
    expect(await mirror(apps.api)).toEqual({});
  });

  it('refuses to turn a secret plain without a new value, so nobody reads it back by unticking the box', async () => {
    await set(users.mia, apps.web, 'SECRET_X', 'hidden', true);
    const error = await refusal(set(users.mia, apps.web, 'SECRET_X', '', false, 'update'));
    expect(error.options.field).toBe('value');
    expect((await rows(apps.web))[0]!.isSecret).toBe(true);
    await set(users.mia, apps.web, 'SECRET_X', 'now-public', false, 'update');
    expect(await mirror(apps.web)).toEqual({ SECRET_X: 'now-public' });
  });

  it('refuses adding a key that exists and editing one that does not, beside the key field', async () => {
    await set(users.alice, apps.api, 'A', '1');
    const taken = await refusal(set(users.alice, apps.api, 'A', '2'));
    expect([taken.code, taken.options.field]).toEqual(['conflict', 'key']);
    const missing = await refusal(set(users.alice, apps.api, 'B', '2', false, 'update'));
    expect([missing.code, missing.options.field]).toEqual(['not_found', 'key']);
  });

  it('lets exactly one of two simultaneous adds of the same key win', async () => {
    const outcomes = await Promise.allSettled([
      set(users.alice, apps.api, 'RACE', '1'),
      set(users.alice, apps.api, 'RACE', '2'),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [loser] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(loser!.reason).toMatchObject({ code: 'conflict' });
  });

  it('refuses changes to an archived application but still lists its variables', async () => {
    const error = await refusal(set(users.alice, apps.old, 'A', '1'));
    expect([error.code, error.message]).toEqual(['conflict', ARCHIVED_MESSAGE]);
    expect(await as(users.alice, (tx, c) => listEnvVars(tx, c, { applicationId: apps.old }))).toEqual([]);
  });
});

describe('deleteEnvVar', () => {
  it('deletes the variable, updates the mirror and audits the key', async () => {
    await set(users.alice, apps.api, 'A', '1');
    await set(users.alice, apps.api, 'B', '2');
    await as(users.alice, (tx, c) => deleteEnvVar(tx, c, { applicationId: apps.api, key: 'A' }));
    expect(await mirror(apps.api)).toEqual({ B: '2' });
    expect((await audits(apps.api, 'env.delete')).at(-1)!.details).toEqual({ key: 'A' });
  });

  it('says so when the variable is not set', async () => {
    const error = await refusal(
      as(users.alice, (tx, c) => deleteEnvVar(tx, c, { applicationId: apps.api, key: 'NOPE' })),
    );
    expect(error.code).toBe('not_found');
  });
});

describe('who may do what', () => {
  it("answers not_found for another tenant's application, and audits the attempt", async () => {
    await set(users.alice, apps.api, 'A', '1', true);
    for (const attempt of [
      () => as(users.bob, (tx, c) => listEnvVars(tx, c, { applicationId: apps.api })),
      () => set(users.bob, apps.api, 'B', '2'),
      () => as(users.bob, (tx, c) => revealSecret(tx, c, { applicationId: apps.api, key: 'A' }, keys)),
      () => as(users.bob, (tx, c) => exportDotenv(tx, c, { applicationId: apps.api }, keys)),
    ]) {
      expect((await refusal(attempt())).code).toBe('not_found');
    }
    const denied = (await audits(apps.api, 'authz.denied')).filter((row) => row.userId === users.bob.id);
    expect(denied.map((row) => (row.details as { action: string }).action)).toEqual([
      'env.read',
      'env.write',
      'env.reveal_secret',
      'env.read',
    ]);
  });

  it('lets a team viewer read but not write, and audits the refusal', async () => {
    await set(users.alice, apps.web, 'A', '1');
    expect(await as(users.vic, (tx, c) => listEnvVars(tx, c, { applicationId: apps.web }))).toHaveLength(1);
    expect((await refusal(set(users.vic, apps.web, 'B', '2'))).code).toBe('forbidden');
    expect(
      (await refusal(as(users.vic, (tx, c) => deleteEnvVar(tx, c, { applicationId: apps.web, key: 'A' })))).code,
    ).toBe('forbidden');
    expect(
      (
        await refusal(
          as(users.vic, (tx, c) => bulkApplyEnv(tx, c, { applicationId: apps.web, text: 'B=2', mode: 'merge' }, keys)),
        )
      ).code,
    ).toBe('forbidden');
    const denied = (await audits(apps.web, 'authz.denied')).filter((row) => row.userId === users.vic.id);
    expect(denied).toHaveLength(3);
  });

  it('lets a team member set a secret but not reveal it; a team admin and the owner may', async () => {
    await set(users.mia, apps.web, 'API_TOKEN', 'tok-123', true);
    const error = await refusal(
      as(users.mia, (tx, c) => revealSecret(tx, c, { applicationId: apps.web, key: 'API_TOKEN' }, keys)),
    );
    expect(error.code).toBe('forbidden');
    for (const user of [users.adam, users.alice]) {
      expect(await as(user, (tx, c) => revealSecret(tx, c, { applicationId: apps.web, key: 'API_TOKEN' }, keys))).toBe(
        'tok-123',
      );
    }
    const reveals = await audits(apps.web, 'env.reveal');
    expect(reveals.map((row) => [row.userId, row.details])).toEqual([
      [users.adam.id, { key: 'API_TOKEN' }],
      [users.alice.id, { key: 'API_TOKEN' }],
    ]);
  });

  it('does not reveal a plain variable or a missing one', async () => {
    await set(users.alice, apps.api, 'PLAIN', 'x');
    expect(
      (await refusal(as(users.alice, (tx, c) => revealSecret(tx, c, { applicationId: apps.api, key: 'PLAIN' }, keys))))
        .code,
    ).toBe('invalid');
    expect(
      (await refusal(as(users.alice, (tx, c) => revealSecret(tx, c, { applicationId: apps.api, key: 'NONE' }, keys))))
        .code,
    ).toBe('not_found');
  });

  it('reports a secret written with another key without showing anything of it', async () => {
    const other: KeyRing = { current: 1, keys: new Map([[1, randomBytes(32)]]) };
    await as(users.alice, (tx, c) =>
      setEnvVar(
        tx,
        c,
        { applicationId: apps.api, key: 'X', value: 'p', isSecret: true, mode: 'create' },
        { ring: other },
      ),
    );
    const error = await refusal(
      as(users.alice, (tx, c) => revealSecret(tx, c, { applicationId: apps.api, key: 'X' }, keys)),
    );
    expect(error.message).toContain('cannot be decrypted');
  });
});

describe('exportDotenv', () => {
  beforeEach(async () => {
    await set(users.alice, apps.web, 'PORT', '8080');
    await set(users.alice, apps.web, 'GREETING', 'hello "world"\nbye');
    await set(users.alice, apps.web, 'DB_PASSWORD', 's3cr3t', true);
  });

  it('includes secrets for a team admin, audited with the keys', async () => {
    const exported = await as(users.adam, (tx, c) => exportDotenv(tx, c, { applicationId: apps.web }, keys));
    expect(exported.includesSecrets).toBe(true);
    expect(exported.filename).toBe('web.env');
    expect(Object.fromEntries(parseDotenv(exported.text).entries.map((e) => [e.key, e.value]))).toEqual({
      DB_PASSWORD: 's3cr3t',
      GREETING: 'hello "world"\nbye',
      PORT: '8080',
    });
    expect((await audits(apps.web, 'env.reveal')).at(-1)!.details).toEqual({ keys: ['DB_PASSWORD'], via: 'export' });
  });

  it('omits secrets for a member and a viewer, naming them in a comment, unaudited', async () => {
    for (const user of [users.mia, users.vic]) {
      const exported = await as(user, (tx, c) => exportDotenv(tx, c, { applicationId: apps.web }, keys));
      expect(exported.includesSecrets).toBe(false);
      expect(exported.text).toContain('# DB_PASSWORD=<secret: ask an admin>\n');
      expect(exported.text).not.toContain('s3cr3t');
      expect(parseDotenv(exported.text).entries.map((e) => e.key)).toEqual(['GREETING', 'PORT']);
    }
    expect(await audits(apps.web, 'env.reveal')).toEqual([]);
  });
});

describe('bulkApplyEnv', () => {
  const bulk = (user: User, text: string, mode: 'merge' | 'replace' = 'merge', secretKeys?: string) =>
    as(user, (tx, c) => bulkApplyEnv(tx, c, { applicationId: apps.api, text, mode, secretKeys }, keys));

  it('saves nothing when one line is bad, and reports every bad line', async () => {
    await set(users.alice, apps.api, 'KEEP', 'me');
    const result = await bulk(users.alice, 'A=1\nbad-key=2\nB="x\nC=3', 'replace');
    expect(result).toEqual({
      ok: false,
      errors: [expect.objectContaining({ line: 2 }), expect.objectContaining({ line: 3 })],
    });
    expect(await rows(apps.api)).toEqual([{ key: 'KEEP', value: 'me', isSecret: false }]);
    expect(await audits(apps.api, 'env.bulk_update')).toEqual([]);
  });

  it('merges: creates, updates, encrypts the keys listed as secret, leaves the rest', async () => {
    await set(users.alice, apps.api, 'KEEP', 'me');
    await set(users.alice, apps.api, 'PORT', '80');
    const result = await bulk(users.alice, '# pasted\nexport PORT=8080\nNEW=1\nAPI_KEY="abc def"', 'merge', 'API_KEY');
    expect(result).toMatchObject({
      ok: true,
      created: ['NEW', 'API_KEY'],
      updated: ['PORT'],
      deleted: [],
      unchanged: 0,
    });
    expect(await mirror(apps.api)).toEqual({ KEEP: 'me', NEW: '1', PORT: '8080' });
    const apiKey = (await rows(apps.api)).find((row) => row.key === 'API_KEY')!;
    expect(decryptSecret(ring, apiKey.value, 'env_vars.value')).toBe('abc def');
    const [entry] = await audits(apps.api, 'env.bulk_update');
    expect(entry!.details).toEqual({
      mode: 'merge',
      created: ['NEW', 'API_KEY'],
      updated: ['PORT'],
      deleted: [],
      unchanged: 0,
    });
    expect(text(entry)).not.toContain('abc def');
  });

  it('replaces: deletes plain variables left out, keeps secrets left out, and a pasted secret stays secret', async () => {
    await set(users.alice, apps.api, 'OLD', 'x');
    await set(users.alice, apps.api, 'HIDDEN', 'h', true);
    await set(users.alice, apps.api, 'TOKEN', 't1', true);
    const result = await bulk(users.alice, 'TOKEN=t2\nPORT=1', 'replace');
    expect(result).toMatchObject({
      ok: true,
      created: ['PORT'],
      updated: ['TOKEN'],
      deleted: ['OLD'],
      keptSecrets: ['HIDDEN'],
    });
    const stored = await rows(apps.api);
    expect(stored.map((row) => [row.key, row.isSecret])).toEqual([
      ['HIDDEN', true],
      ['PORT', false],
      ['TOKEN', true],
    ]);
    expect(decryptSecret(ring, stored[2]!.value, 'env_vars.value')).toBe('t2');
  });

  it('changes nothing, and audits nothing, when the same text is pasted again', async () => {
    const pasted = 'A=1\nS=secret';
    await bulk(users.alice, pasted, 'merge', 'S');
    const before = await rows(apps.api);
    expect(await bulk(users.alice, pasted, 'merge')).toMatchObject({
      ok: true,
      created: [],
      updated: [],
      unchanged: 2,
    });
    expect(await rows(apps.api)).toEqual(before);
    expect(await audits(apps.api, 'env.bulk_update')).toHaveLength(1);
  });

  it('refuses a reserved name and saves nothing; saves PATH, HOME and HOSTNAME with a caution for each', async () => {
    const refused = await bulk(users.alice, 'OK=1\nSLIPWAY_TOKEN=x', 'merge');
    expect(refused).toEqual({
      ok: false,
      errors: [{ line: 2, message: expect.stringContaining('SLIPWAY_TOKEN starts with SLIPWAY_') }],
    });
    expect((await rows(apps.api)).map((row) => row.key)).not.toContain('OK');
    await expect(set(users.alice, apps.api, 'SLIPWAY_URL', 'x')).rejects.toBeInstanceOf(ZodError);

    const saved = await bulk(users.alice, 'PATH=/app/bin:/usr/bin:/bin\nHOSTNAME=0.0.0.0\nPLAIN=1', 'merge');
    expect(saved).toMatchObject({ ok: true, cautions: [envKeyCaution('PATH'), envKeyCaution('HOSTNAME')] });
    expect(await set(users.alice, apps.api, 'HOME', '/tmp')).toMatchObject({
      created: true,
      caution: envKeyCaution('HOME'),
    });
    expect(await set(users.alice, apps.api, 'PLAIN_TOO', '1')).toMatchObject({ caution: null });
  });

  it('refuses secret keys the paste does not set', async () => {
    const error = await refusal(bulk(users.alice, 'A=1', 'merge', 'B'));
    expect([error.code, error.options.field]).toEqual(['invalid', 'secretKeys']);
  });
});
