// Constraints on volumes, domains, certificates, backups and audit logs: each case writes one row and expects it
// accepted, or refused with the SQLSTATE and constraint.
import { beforeAll, describe, expect, it } from 'vitest';

import {
  check,
  expectInsert,
  foreignKey,
  itInserts,
  notNull,
  OK,
  unique,
  valuesOf,
  type Case,
} from '@/lib/testing/constraint-cases';
import {
  insertAppTree,
  insertDatabase,
  insertDomain,
  insertRow,
  insertVolume,
  NO_SUCH_ID,
  setUpTestDatabase,
  sqlError,
  uniqueName,
  validCertificate,
  withSuperuser,
  type Row,
} from '@/lib/testing/fixtures';

const t = setUpTestDatabase();
let projectId: string;
let appId: string;
let databaseId: string;
const pool = () => t().systemPool; // beneath row-level security: what the database itself does

beforeAll(async () => {
  ({ projectId, appId } = await insertAppTree(pool()));
  databaseId = (await insertDatabase(pool(), projectId)).id;
});

describe('volumes', () => {
  const valid = (overrides: Row): Row => ({ name: uniqueName('vol'), mount_path: '/data', size_gb: 1, ...overrides });
  const cases: Case[] = [
    ['name of letters, digits, _ . and -', { name: uniqueName('Vol_1.data') }, OK],
    ['name of one character', { name: 'v' }, check('check_volume_name')],
    ['name starting with _', { name: '_vol' }, check('check_volume_name')],
    ['name with a slash', { name: 'a/b' }, check('check_volume_name')],
    ['name with a space', { name: 'my vol' }, check('check_volume_name')],
    ...valuesOf('type', ['docker_volume', 'nfs', 's3'], OK),
    ['type ceph', { type: 'ceph' }, check('check_volume_type')],
    ['size 1 GB', { size_gb: 1 }, OK],
    ['size 0 GB', { size_gb: 0 }, check('check_size_positive')],
    ['size -1 GB', { size_gb: -1 }, check('check_size_positive')],
    ...valuesOf('mount_path', ['/data', '/var/lib/postgresql/data', '/app/.cache'], OK),
    ...valuesOf('mount_path', ['data', '/', '/a/../etc', '/a/./b', '/a/..', '//x'], check('check_mount_path')),
    ['mount_path with a newline', { mount_path: '/data\n/etc' }, check('check_mount_path')],
    ['no size', { size_gb: null }, notNull],
  ];

  itInserts(pool, 'volumes', valid, cases);

  it('accepts a volume of an application, of a database, or of neither', async () => {
    await expectInsert(pool(), 'volumes', valid({ application_id: appId }), OK);
    await expectInsert(pool(), 'volumes', valid({ database_id: databaseId }), OK);
    await expectInsert(pool(), 'volumes', valid({}), OK);
  });

  it('refuses a volume of both an application and a database', async () => {
    const row = valid({ application_id: appId, database_id: databaseId });
    await expectInsert(pool(), 'volumes', row, check('check_volume_single_owner'));
  });

  it('refuses a volume of an application that does not exist', async () => {
    const row = valid({ application_id: NO_SUCH_ID });
    await expectInsert(pool(), 'volumes', row, foreignKey('volumes_application_id_fkey'));
  });

  it('refuses a second volume of the same name', async () => {
    const volume = await insertVolume(pool());
    await expectInsert(pool(), 'volumes', valid({ name: volume.name }), unique('volumes_name_key'));
  });
});

describe('domains', () => {
  const valid = (overrides: Row): Row => ({
    project_id: projectId,
    domain: `${uniqueName('d')}.example.com`,
    target_type: 'application',
    target_id: appId,
    ...overrides,
  });
  // Labels of 63, 63, 63 and 57 or 58 characters with ".com": 253 and 254 characters in all.
  const longName = (last: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(last)}.com`;
  const cases: Case[] = [
    ['example.com', { domain: 'example.com' }, OK],
    ['a.b.example.co.uk', { domain: 'a.b.example.co.uk' }, OK],
    ['*.example.com', { domain: '*.example.com' }, OK],
    ['xn--bcher-kva.example', { domain: 'xn--bcher-kva.example' }, OK],
    ['a label of 63 characters', { domain: `${'e'.repeat(63)}.example.com` }, OK],
    ['a domain of 253 characters', { domain: longName(57) }, OK],
    ['Example.com', { domain: 'Example.com' }, check('check_domain_format')],
    ['no_underscore.com', { domain: 'no_underscore.com' }, check('check_domain_format')],
    ['localhost', { domain: 'localhost' }, check('check_domain_format')],
    ['-a.com', { domain: '-a.com' }, check('check_domain_format')],
    ['a-.com', { domain: 'a-.com' }, check('check_domain_format')],
    ['a..com', { domain: 'a..com' }, check('check_domain_format')],
    ['a label of 64 characters', { domain: `${'f'.repeat(64)}.example.com` }, check('check_domain_format')],
    ['a domain of 254 characters', { domain: longName(58) }, check('check_domain_format')],
    ['a.*.example.com', { domain: 'a.*.example.com' }, check('check_domain_format')],
    ['example.com.', { domain: 'example.com.' }, check('check_domain_format')],
    ['an IPv4 address', { domain: '10.0.0.1' }, check('check_domain_format')],
    ['example.com with a path', { domain: 'example.com/x' }, check('check_domain_format')],
    ['target_type service', { target_type: 'service' }, check('check_domain_target_type')],
    ['a project that does not exist', { project_id: NO_SUCH_ID }, foreignKey('domains_project_id_fkey')],
    ['no target', { target_id: null }, notNull],
  ];

  itInserts(pool, 'domains', valid, cases);

  it('accepts a database of the same project as target', async () => {
    await expectInsert(pool(), 'domains', valid({ target_type: 'database', target_id: databaseId }), OK);
  });

  // That the target exists in the same project is checked where domains are written, not by the database, so rows
  // can be loaded in any order (docs/decisions.md, D10). Deleting a target deletes its domains: cascades.int.test.ts.

  it('refuses an update to a target_type outside application and database', async () => {
    const domain = await insertDomain(pool(), { projectId, type: 'application', id: appId });
    const retype = pool().query("UPDATE domains SET target_type = 'volume' WHERE id = $1", [domain.id]);
    expect(await sqlError(retype)).toMatchObject({ code: '23514', constraint: 'check_domain_target_type' });
  });

  it('refuses a second row for the same domain', async () => {
    const domain = await insertDomain(pool(), { projectId, type: 'application', id: appId });
    await expectInsert(pool(), 'domains', valid({ domain: domain.domain }), unique('domains_domain_key'));
  });
});

describe('certificates', () => {
  let domainId: string;
  beforeAll(async () => {
    domainId = (await insertDomain(pool(), { projectId, type: 'application', id: appId })).id;
  });
  const DAY = 86_400_000;
  const valid = (overrides: Row): Row => validCertificate(domainId, overrides);
  const cases: Case[] = [
    ['expiry in 90 days', {}, OK],
    ['expiry yesterday', { expires_at: new Date(Date.now() - DAY) }, check('check_expiry_future')],
    ['expiry a second ago', { expires_at: new Date(Date.now() - 1000) }, check('check_expiry_future')],
    ['no private key', { private_key: null }, notNull],
    ['empty issuer', { issuer: '' }, check('check_certificate_issuer')],
    ['a domain that does not exist', { domain_id: NO_SUCH_ID }, foreignKey('certificates_domain_id_fkey')],
    ['no expiry', { expires_at: null }, notNull],
  ];

  itInserts(pool, 'certificates', valid, cases);

  it('refuses moving the expiry of a stored certificate into the past', async () => {
    const cert = await insertRow(pool(), 'certificates', valid({}));
    const sql = "UPDATE certificates SET expires_at = now() - interval '1 hour' WHERE id = $1";
    const backdate = pool().query(sql, [cert.id]);
    const error = await sqlError(backdate);
    expect(error).toMatchObject({ code: '23514', constraint: 'check_expiry_future' });
  });

  it('accepts updating another column of a certificate that has expired since it was stored', async () => {
    // A restore in replica mode skips triggers, which is how an expired certificate gets (back) into the table.
    const id = await withSuperuser(t().adminUrl, async (admin) => {
      await admin.query("SET session_replication_role = 'replica'");
      const row = valid({ expires_at: new Date(Date.now() - 30 * DAY) });
      return (await insertRow(admin, 'certificates', row)).id as string;
    });
    const updated = await pool().query("UPDATE certificates SET issuer = 'ZeroSSL' WHERE id = $1", [id]);
    expect(updated.rowCount).toBe(1);
    const { rows } = await pool().query(
      'SELECT issuer, expires_at < now() AS expired FROM certificates WHERE id = $1',
      [id],
    );
    expect(rows).toEqual([{ issuer: 'ZeroSSL', expired: true }]);
  });
});

describe('backups', () => {
  const valid = (overrides: Row): Row => ({ database_id: databaseId, type: 'full', ...overrides });
  const cases: Case[] = [
    ...valuesOf('type', ['full', 'incremental', 'snapshot'], OK),
    ['type differential', { type: 'differential' }, check('check_backup_type')],
    ...valuesOf('status', ['pending', 'running', 'success', 'failed'], OK),
    ['status done', { status: 'done' }, check('check_backup_status')],
    ['size 0 bytes', { size_bytes: 0 }, OK],
    ['size beyond 32 bits', { size_bytes: '5000000000' }, OK],
    ['size -1 bytes', { size_bytes: -1 }, check('check_backup_size')],
    ['a database that does not exist', { database_id: NO_SUCH_ID }, foreignKey('backups_database_id_fkey')],
    ['no type', { type: null }, notNull],
  ];

  itInserts(pool, 'backups', valid, cases);
});

describe('audit_logs', () => {
  const valid = (overrides: Row): Row => ({
    action: 'application.deploy',
    resource_type: 'application',
    resource_id: appId,
    ...overrides,
  });
  const cases: Case[] = [
    ...valuesOf('resource_type', ['user', 'team', 'project', 'application', 'database', 'deployment', 'domain'], OK),
    ['resource_type volume', { resource_type: 'volume' }, check('check_audit_resource_type')],
    ['IPv4 address', { ip_address: '192.168.1.100' }, OK],
    ['IPv6 address', { ip_address: '2001:db8::1' }, OK],
    ['ip_address not-an-ip', { ip_address: 'not-an-ip' }, { code: '22P02' }],
    ['empty action', { action: '' }, check('check_audit_action')],
    ['details that are not an object', { details: '[1]' }, check('check_audit_details_object')],
    ['a user that does not exist', { user_id: NO_SUCH_ID }, foreignKey('audit_logs_user_id_fkey')],
    ['no action', { action: null }, notNull],
  ];

  itInserts(pool, 'audit_logs', valid, cases);

  it('stores an address as inet, not as text', async () => {
    const row = await insertRow(pool(), 'audit_logs', valid({ ip_address: '10.1.2.3' }));
    const { rows } = await pool().query(
      "SELECT ip_address << '10.0.0.0/8'::inet AS private FROM audit_logs WHERE id = $1",
      [row.id],
    );
    expect(rows).toEqual([{ private: true }]);
  });
});
