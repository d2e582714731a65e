// Rows for integration tests, written with raw SQL so a test exercises the database and nothing above it.
// Projects and every table owned through one are under row-level security: a row written through a pool is written
// in a transaction that opts out (app.rls_bypass = 'on'), the way the panel's background work does; a row written
// through a client is written as that client's transaction says (a userTx, for tests of who may write what).
import { randomUUID } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';

import type { PlatformRole, TeamRole } from '@/lib/auth/permissions';
import { asSystem, type Tx } from '@/lib/db/context';
import { runAsUser, type Translate, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { RequestMeta } from '@/lib/http/request-meta';

import { createTestDatabase, withAdmin, type TestDatabase } from './database';

/**
 * A database of the calling test file's own: cloned before its tests, dropped after them. Call it at the top of the
 * file; read the returned getter inside a test or hook, once beforeAll has run.
 */
export function setUpTestDatabase(): () => TestDatabase {
  let test: TestDatabase | undefined;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });
  return () => {
    if (!test) throw new Error('The test database is made in beforeAll: read it inside a test or a hook.');
    return test;
  };
}

export type Queryable = Pick<pg.ClientBase, 'query'>;
export type Row = Record<string, unknown>;

/** Looks like bcrypt output of cost 12, what lib/auth writes (the database does not check the format: D9). */
export const BCRYPT_HASH = '$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
/** Syntactically a lib/crypto ciphertext: enc:v1:<key version>:<base64url> (the database does not check it: D8). */
export const CIPHERTEXT = 'enc:v1:1:c2VjcmV0LXBheWxvYWQ';
/** A uuid no fixture ever gets (they come from gen_random_uuid()). */
export const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

let sequence = 0;
/** A name no other fixture of this process has used: lowercase, so it fits every name rule of the schema. */
export function uniqueName(prefix = 'n'): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}`;
}

/** INSERT … RETURNING * of one row; keys are trusted column names written by the test itself. */
export async function insertRow<T extends Row = Row>(db: Queryable, table: string, values: Row): Promise<T> {
  if (db instanceof pg.Pool) return systemTx(db, (client) => insertRow<T>(client, table, values));
  const columns = Object.keys(values);
  const sql =
    `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) ` +
    `VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
  const { rows } = await db.query(sql, Object.values(values).map(toParam));
  return rows[0] as T;
}

function quote(identifier: string): string {
  return identifier
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

// pg sends JS arrays as PostgreSQL arrays; every array or object we write goes to a jsonb column.
function toParam(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value);
  return value;
}

/** Runs work in one transaction with the given transaction-local settings; rolls back if it throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  settings: Record<string, string>,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const [name, value] of Object.entries(settings)) {
      await client.query('SELECT set_config($1, $2, true)', [name, value]);
    }
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export function systemTx<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, { 'app.rls_bypass': 'on' }, work);
}

export function userTx<T>(pool: pg.Pool, userId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, { 'app.user_id': userId }, work);
}

/** The error a statement failed with; fails the test when it succeeded. */
export async function sqlError(promise: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof pg.DatabaseError) return error;
    throw error;
  }
  throw new Error('expected the database to refuse the statement, but it succeeded');
}

/** Superuser connection to the same database, for looking past row-level security and for replica-mode writes. */
export async function withSuperuser<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Payloads of the NOTIFYs on `channel` committed while `work` ran, heard by a superuser connection of its own. A
 * marker NOTIFY sent after `work` is queued behind every one committed before it, so once it is heard they all
 * were: the list is exact without waiting for a fixed time.
 */
export async function notificationsDuring(
  adminUrl: string,
  channel: string,
  work: () => Promise<unknown>,
): Promise<string[]> {
  return withSuperuser(adminUrl, async (client) => {
    const heard: string[] = [];
    client.on('notification', (message) => heard.push(message.payload ?? ''));
    await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    await work();
    const marker = `marker-${randomUUID()}`;
    await client.query('SELECT pg_notify($1, $2)', [channel, marker]);
    while (!heard.includes(marker)) await new Promise((resolve) => client.once('notification', resolve));
    return heard.filter((payload) => payload !== marker);
  });
}

// People and their work through the panel's own runner (Prisma, row-level security bound, refusals audited), for
// tests of domain functions: one user per role, a team of them, and work done as one of them.

export type TestUser = { id: string; username: string; role: PlatformRole };

/** Where the tests' requests come from, as the audit log records it. */
export const TEST_META: RequestMeta = { ip: '203.0.113.9', userAgent: 'vitest' };

export const workContext = (user: Pick<TestUser, 'id' | 'role'>): WorkContext => ({
  actor: { id: user.id, role: user.role },
  meta: TEST_META,
});

/** Runs `work` as `user`, the way an action does (runAsUser); `translate` as the domain's own. */
export function actAs<T>(
  test: TestDatabase,
  user: Pick<TestUser, 'id' | 'role'>,
  work: (tx: Tx, ctx: WorkContext) => Promise<T>,
  translate?: Translate,
): Promise<T> {
  const ctx = workContext(user);
  return runAsUser(test.db.prisma, ctx, (tx) => work(tx, ctx), translate);
}

export function newUser(test: TestDatabase, role: PlatformRole = 'developer'): Promise<TestUser> {
  const username = uniqueName('u');
  return asSystem(test.db.prisma, (tx) =>
    tx.user.create({
      data: { username, email: `${username}@example.com`, authProvider: 'github', role },
      select: { id: true, username: true, role: true },
    }),
  ) as Promise<TestUser>;
}

/** A team of the given members, made as the system (no owner needed, unlike createTeam). */
export function newTeam(
  test: TestDatabase,
  members: [Pick<TestUser, 'id'>, TeamRole][],
): Promise<{ id: string; name: string }> {
  return asSystem(test.db.prisma, (tx) =>
    tx.team.create({
      data: {
        name: uniqueName('Team'),
        members: { create: members.map(([user, role]) => ({ userId: user.id, role })) },
      },
      select: { id: true, name: true },
    }),
  );
}

/**
 * A project of `owner`, made as the system; with `members`, shared with a new team of the owner (as owner) and
 * them. `id` for a project id the test must choose (a marked one, for tests that make Docker objects).
 */
export function newProject(
  test: TestDatabase,
  owner: Pick<TestUser, 'id'>,
  options: { members?: [Pick<TestUser, 'id'>, TeamRole][]; id?: string } = {},
): Promise<{ id: string }> {
  const members = options.members ?? [];
  return asSystem(test.db.prisma, async (tx) => {
    const team = members.length ? await newTeam(test, [[owner, 'owner'], ...members]) : null;
    return tx.project.create({
      data: { id: options.id, name: uniqueName('proj'), ownerId: owner.id, teamId: team?.id ?? null },
      select: { id: true },
    });
  });
}

/** The plan PostgreSQL picks for `sql` with sequential scans off, as the superuser (past row-level security). */
export function queryPlan(database: string, sql: { text: string; values: unknown[] }): Promise<string> {
  return withAdmin(async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL enable_seqscan = off');
      const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.text}`, sql.values);
      return result.rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await client.query('ROLLBACK');
    }
  }, database);
}

/** The AppError `promise` was refused with; fails the test when it succeeded or failed otherwise. */
export async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

export type Id = { id: string };

export function validUser(overrides: Row = {}): Row {
  const name = uniqueName('u');
  return { username: name, email: `${name}@example.com`, password_hash: BCRYPT_HASH, role: 'developer', ...overrides };
}

export function insertUser(db: Queryable, overrides: Row = {}): Promise<Id & Row> {
  return insertRow(db, 'users', validUser(overrides));
}

export function insertTeam(db: Queryable, overrides: Row = {}): Promise<Id & Row> {
  return insertRow(db, 'teams', { name: uniqueName('team'), ...overrides });
}

export function addMember(db: Queryable, teamId: string, userId: string, role = 'member'): Promise<Id & Row> {
  return insertRow(db, 'team_members', { team_id: teamId, user_id: userId, role });
}

export function insertProject(pool: pg.Pool, ownerId: string, overrides: Row = {}): Promise<Id & Row> {
  return systemTx(pool, (client) =>
    insertRow(client, 'projects', { name: uniqueName('proj'), owner_id: ownerId, ...overrides }),
  );
}

export function validApplication(projectId: string, overrides: Row = {}): Row {
  return { project_id: projectId, name: uniqueName('app'), type: 'git', source_type: 'github', ...overrides };
}

export function insertApplication(db: Queryable, projectId: string, overrides: Row = {}): Promise<Id & Row> {
  return insertRow(db, 'applications', validApplication(projectId, overrides));
}

export function validDatabase(projectId: string, overrides: Row = {}): Row {
  return { project_id: projectId, name: uniqueName('db'), type: 'postgresql', version: '16', ...overrides };
}

export function insertDatabase(db: Queryable, projectId: string, overrides: Row = {}): Promise<Id & Row> {
  return insertRow(db, 'databases', validDatabase(projectId, overrides));
}

export function insertDeployment(db: Queryable, applicationId: string, overrides: Row = {}): Promise<Id & Row> {
  return insertRow(db, 'deployments', { application_id: applicationId, ...overrides });
}

export function insertDomain(
  db: Queryable,
  target: { projectId: string; type: 'application' | 'database'; id: string },
  overrides: Row = {},
): Promise<Id & Row> {
  return insertRow(db, 'domains', {
    project_id: target.projectId,
    domain: `${uniqueName('d')}.example.com`,
    target_type: target.type,
    target_id: target.id,
    ...overrides,
  });
}

const DAY_MS = 86_400_000;

/** A certificate of the domain that expires in 90 days, the lifetime Let's Encrypt gives. */
export function validCertificate(domainId: string, overrides: Row = {}): Row {
  return {
    domain_id: domainId,
    issuer: "Let's Encrypt",
    certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    private_key: CIPHERTEXT,
    expires_at: new Date(Date.now() + 90 * DAY_MS),
    ...overrides,
  };
}

export function insertCertificate(db: Queryable, domainId: string, overrides: Row = {}): Promise<Id & Row> {
  return insertRow(db, 'certificates', validCertificate(domainId, overrides));
}

export function insertVolume(db: Queryable, overrides: Row = {}): Promise<Id & Row> {
  return insertRow(db, 'volumes', { name: uniqueName('vol'), mount_path: '/data', size_gb: 1, ...overrides });
}

/** A user with one project holding one application: the parent rows most tests need. */
export async function insertAppTree(pool: pg.Pool): Promise<{ userId: string; projectId: string; appId: string }> {
  const user = await insertUser(pool);
  const project = await insertProject(pool, user.id);
  const app = await insertApplication(pool, project.id);
  return { userId: user.id, projectId: project.id, appId: app.id };
}

export async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS counted`, params);
  return Number(rows[0]!.n);
}
