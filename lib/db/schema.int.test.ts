// The shape of the migrated schema: every index the data model lists, and the column types it names (uuid ids,
// jsonb, inet, timestamptz, bigint log ids), read from the catalogs of a freshly migrated database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';

let t: TestDatabase;
/** Index definitions without their names, e.g. "CREATE INDEX ON projects USING gin (metadata)". */
let indexes: string[];
let columns: Map<string, { type: string; nullable: boolean }>;

const TABLES = [
  'users',
  'teams',
  'team_members',
  'projects',
  'applications',
  'git_sources',
  'databases',
  'deployments',
  'deployment_logs',
  'env_vars',
  'volumes',
  'domains',
  'certificates',
  'backups',
  'audit_logs',
];

beforeAll(async () => {
  t = await createTestDatabase();
  const defs = await t.db.pool.query<{ def: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname = ANY($1)`,
    [TABLES],
  );
  indexes = defs.rows.map(({ def }) => def.replace(/ INDEX \S+ ON (ONLY )?public\./, ' INDEX ON '));
  const cols = await t.db.pool.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = ANY($1)`,
    [TABLES],
  );
  columns = new Map(
    cols.rows.map((c) => [
      `${c.table_name}.${c.column_name}`,
      { type: c.data_type, nullable: c.is_nullable === 'YES' },
    ]),
  );
});

afterAll(async () => {
  await t?.drop();
});

describe('indexes of the data model', () => {
  it.each([
    'CREATE UNIQUE INDEX ON users USING btree (username)',
    'CREATE UNIQUE INDEX ON users USING btree (email)',
    'CREATE UNIQUE INDEX ON users USING btree (lower((email)::text))',
    'CREATE INDEX ON users USING btree (role)',
    'CREATE UNIQUE INDEX ON teams USING btree (name)',
    'CREATE UNIQUE INDEX ON team_members USING btree (user_id, team_id)',
    'CREATE INDEX ON team_members USING btree (team_id)',
    'CREATE INDEX ON projects USING btree (owner_id)',
    'CREATE INDEX ON projects USING btree (team_id)',
    'CREATE UNIQUE INDEX ON projects USING btree (owner_id, name)',
    'CREATE INDEX ON projects USING gin (metadata)',
    'CREATE INDEX ON applications USING btree (project_id)',
    'CREATE INDEX ON applications USING btree (status)',
    'CREATE UNIQUE INDEX ON applications USING btree (project_id, name)',
    'CREATE INDEX ON applications USING gin (env_vars)',
    'CREATE INDEX ON applications USING gin (docker_config)',
    'CREATE INDEX ON applications USING btree (id) WHERE (deleted_at IS NULL)',
    'CREATE UNIQUE INDEX ON git_sources USING btree (application_id)',
    'CREATE UNIQUE INDEX ON databases USING btree (project_id, name)',
    'CREATE INDEX ON deployments USING btree (application_id, started_at DESC)',
    'CREATE INDEX ON deployments USING btree (status)',
    'CREATE INDEX ON deployment_logs USING btree (deployment_id, created_at DESC)',
    'CREATE INDEX ON deployment_logs USING btree (level)',
    'CREATE INDEX ON env_vars USING btree (application_id)',
    'CREATE UNIQUE INDEX ON env_vars USING btree (application_id, key)',
    'CREATE UNIQUE INDEX ON volumes USING btree (name)',
    'CREATE UNIQUE INDEX ON domains USING btree (domain)',
    'CREATE INDEX ON domains USING btree (project_id)',
    'CREATE INDEX ON domains USING btree (target_type, target_id)',
    'CREATE INDEX ON certificates USING btree (domain_id)',
    'CREATE INDEX ON certificates USING btree (expires_at)',
    'CREATE INDEX ON backups USING btree (database_id, created_at DESC)',
    'CREATE INDEX ON backups USING btree (status)',
    'CREATE INDEX ON audit_logs USING btree (user_id, created_at DESC)',
    'CREATE INDEX ON audit_logs USING btree (resource_type, resource_id)',
    'CREATE INDEX ON audit_logs USING btree (action)',
    'CREATE INDEX ON audit_logs USING btree (created_at DESC)',
  ])('%s', (definition) => {
    expect(indexes).toContain(definition);
  });

  it.each(TABLES)('%s has a primary key on id', async (table) => {
    const { rows } = await t.db.pool.query<{ columns: string[] }>(
      `SELECT array_agg(a.attname ORDER BY a.attnum)::text[] AS columns
         FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [table],
    );
    // Partitioned tables carry their partition key in the primary key.
    const partitionKey: Record<string, string> = { deployment_logs: 'deployment_id', audit_logs: 'created_at' };
    expect(rows[0]?.columns).toEqual(partitionKey[table] ? ['id', partitionKey[table]] : ['id']);
  });

  it('gives every deployment_logs partition the (deployment_id, created_at DESC) index', async () => {
    const { rows } = await t.db.pool.query<{ partition: string }>(
      `SELECT c.relname AS partition FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
        WHERE h.inhparent = 'deployment_logs'::regclass
          AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid
                       AND pg_get_indexdef(i.indexrelid) LIKE '%(deployment_id, created_at DESC)')
        ORDER BY 1`,
    );
    expect(rows.map((r) => r.partition)).toEqual([0, 1, 2, 3].map((n) => `deployment_logs_${n}`));
  });
});

describe('column types', () => {
  const typeOf = (column: string) => columns.get(column)?.type;

  it('has the columns of every table', () => {
    expect(columns.size).toBeGreaterThan(100);
    for (const table of TABLES) expect(typeOf(`${table}.id`), table).toBeDefined();
  });

  it('uses uuid for every id and reference, bigint for the two log ids', () => {
    const ids = [...columns.keys()].filter((name) => /\.(id|\w+_id|triggered_by)$/.test(name));
    expect(ids.length).toBeGreaterThanOrEqual(30);
    for (const name of ids) {
      const expected = name === 'deployment_logs.id' || name === 'audit_logs.id' ? 'bigint' : 'uuid';
      expect(typeOf(name), name).toBe(expected);
    }
  });

  it('uses timestamptz for every *_at column', () => {
    const stamps = [...columns.keys()].filter((name) => name.endsWith('_at'));
    expect(stamps.length).toBeGreaterThanOrEqual(21);
    for (const name of stamps) expect(typeOf(name), name).toBe('timestamp with time zone');
  });

  it.each([
    ['users.preferences', 'jsonb'],
    ['teams.settings', 'jsonb'],
    ['projects.metadata', 'jsonb'],
    ['applications.source_config', 'jsonb'],
    ['applications.docker_config', 'jsonb'],
    ['applications.env_vars', 'jsonb'],
    ['git_sources.webhook_config', 'jsonb'],
    ['databases.config', 'jsonb'],
    ['deployments.metadata', 'jsonb'],
    ['audit_logs.details', 'jsonb'],
    ['audit_logs.ip_address', 'inet'],
    ['backups.size_bytes', 'bigint'],
    ['applications.replicas', 'integer'],
    ['volumes.size_gb', 'integer'],
    ['env_vars.is_secret', 'boolean'],
    ['domains.tls_enabled', 'boolean'],
    ['deployments.logs', 'text'],
    ['deployment_logs.message', 'text'],
    ['certificates.certificate', 'text'],
    ['certificates.private_key', 'text'],
    ['audit_logs.user_agent', 'text'],
    ['users.username', 'character varying'],
  ])('%s is %s', (column, type) => {
    expect(typeOf(column)).toBe(type);
  });

  it.each([
    ['projects.team_id', true],
    ['deployments.triggered_by', true],
    ['audit_logs.user_id', true],
    ['users.password_hash', true],
    ['backups.completed_at', true],
    ['projects.owner_id', false],
    ['applications.project_id', false],
    ['domains.target_id', false],
  ])('%s nullable: %s', (column, nullable) => {
    expect(columns.get(column)?.nullable).toBe(nullable);
  });

  it('numbers log rows from a sequence', async () => {
    const { rows } = await t.db.pool.query<{ seq: string | null }>(
      `SELECT pg_get_serial_sequence('deployment_logs', 'id') AS seq
       UNION ALL SELECT pg_get_serial_sequence('audit_logs', 'id')`,
    );
    expect(rows.map((r) => r.seq)).toEqual(['public.deployment_logs_id_seq', 'public.audit_logs_id_seq']);
  });
});
