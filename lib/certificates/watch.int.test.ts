import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import {
  insertApplication,
  insertCertificate,
  insertDomain,
  newProject,
  newUser,
  uniqueName,
} from '@/lib/testing/fixtures';

import { scheduleCertificateJob } from './schedule';
import { EXPIRY_WARNING, RENEWAL_FAILED, watchCertificateExpiry } from './watch';

const DAY = 86_400_000;
let test: TestDatabase;
const start = new Date();
const inDays = (days: number, from = start) => new Date(from.getTime() + days * DAY);
const ids: Record<string, string> = {};
const certs: Record<string, string> = {};

type Audit = { resource_id: string; action: string; details: { days?: number; error?: string; domain: string } };
const audits = async () =>
  (
    await test.systemPool.query<Audit>(
      `SELECT resource_id, action, details FROM audit_logs WHERE action IN ($1, $2) ORDER BY id`,
      [EXPIRY_WARNING, RENEWAL_FAILED],
    )
  ).rows;
const warnedOf = async (name: string) =>
  (await audits()).filter((a) => a.resource_id === ids[name] && a.action === EXPIRY_WARNING).map((a) => a.details.days);
const warnedDays = async (certificate: string) =>
  (await test.systemPool.query('SELECT warned_days FROM certificates WHERE id = $1', [certs[certificate]])).rows[0]!
    .warned_days as number | null;

beforeAll(async () => {
  test = await createTestDatabase();
  const owner = await newUser(test);
  const project = await newProject(test, owner);
  const app = await insertApplication(test.db.pool, project.id);
  const domain = async (name: string) => {
    ids[name] = (
      await insertDomain(
        test.db.pool,
        { projectId: project.id, type: 'application', id: app.id },
        { domain: `${uniqueName(name)}.example.com` },
      )
    ).id;
  };
  const cert = async (name: string, key: string, expires: number, extra: Record<string, unknown> = {}) => {
    certs[key] = (await insertCertificate(test.systemPool, ids[name]!, { expires_at: inDays(expires), ...extra })).id;
  };
  for (const name of ['month', 'three', 'week', 'hours', 'renewed', 'failing']) await domain(name);
  // A 45-day certificate (Let's Encrypt from 2028) with 30 days left: nothing yet.
  await cert('month', 'month', 30, { created_at: inDays(-15) });
  await cert('three', 'three', 20);
  await cert('week', 'week', 6);
  await cert('hours', 'hours', 0.5);
  // Renewed: the old one (3 days left) is no longer in use; the new one (64 days) is.
  await cert('renewed', 'old', 3, { created_at: inDays(-61), fingerprint: 'a'.repeat(64) });
  await cert('renewed', 'new', 64, { created_at: inDays(-0.01), fingerprint: 'b'.repeat(64) });
  await cert('failing', 'failing', 50, { renewal_error: 'HTTP-01 challenge: connection refused' });
});
afterAll(() => test?.drop());

describe('watchCertificateExpiry', () => {
  it('warns once per threshold crossed, by time left only, for the certificate each domain uses', async () => {
    const result = await watchCertificateExpiry(test.db.prisma, { now: start });
    expect(result.checked).toBe(6);
    expect(await warnedOf('month')).toEqual([]);
    expect(await warnedOf('three')).toEqual([21]);
    expect(await warnedOf('week')).toEqual([21, 7]);
    expect(await warnedOf('hours')).toEqual([21, 7, 1]);
    expect(await warnedOf('renewed')).toEqual([]);
    expect([await warnedDays('three'), await warnedDays('week'), await warnedDays('hours')]).toEqual([21, 7, 1]);
    expect([await warnedDays('month'), await warnedDays('old'), await warnedDays('new')]).toEqual([null, null, null]);

    const failures = (await audits()).filter((a) => a.action === RENEWAL_FAILED);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      resource_id: ids.failing,
      details: { error: 'HTTP-01 challenge: connection refused' },
    });
  });

  it('a re-run at the same time, or two at once, warns of nothing again', async () => {
    const before = (await audits()).length;
    const [a, b] = await Promise.all([
      watchCertificateExpiry(test.db.prisma, { now: start }),
      watchCertificateExpiry(test.db.prisma, { now: start }),
    ]);
    expect([...a.warnings, ...b.warnings, ...a.renewalFailures, ...b.renewalFailures]).toEqual([]);
    expect((await audits()).length).toBe(before);
  });

  it('two watchers at once on certificates never warned of give each warning once', async () => {
    await test.systemPool.query('UPDATE certificates SET warned_days = NULL WHERE id = ANY($1::uuid[])', [
      [certs.week, certs.hours],
    ]);
    await test.systemPool.query(`DELETE FROM audit_logs WHERE action = $1 AND resource_id = ANY($2::uuid[])`, [
      EXPIRY_WARNING,
      [ids.week, ids.hours],
    ]);
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => watchCertificateExpiry(test.db.prisma, { now: start })),
    );
    expect(runs.flatMap((r) => r.warnings)).toHaveLength(5);
    expect(await warnedOf('week')).toEqual([21, 7]);
    expect(await warnedOf('hours')).toEqual([21, 7, 1]);
  });

  it('as time passes, each next threshold is warned of once', async () => {
    const later = inDays(14);
    const result = await watchCertificateExpiry(test.db.prisma, { now: later });
    expect(result.warnings.map((w) => [w.domain.split('-')[0], w.days])).toEqual(
      expect.arrayContaining([
        ['month', 21],
        ['three', 7],
        ['week', 1],
      ]),
    );
    expect(result.warnings).toHaveLength(3);
    expect(await warnedOf('month')).toEqual([21]);
    expect(await warnedOf('three')).toEqual([21, 7]);
    expect(await warnedOf('week')).toEqual([21, 7, 1]);
    expect((await watchCertificateExpiry(test.db.prisma, { now: later })).warnings).toEqual([]);
  });

  it('a new renewal error is warned of again, the same one not', async () => {
    await test.systemPool.query('UPDATE certificates SET renewal_error = $2 WHERE id = $1', [
      certs.failing,
      'rate limited',
    ]);
    const first = await watchCertificateExpiry(test.db.prisma, { now: start });
    expect(first.renewalFailures).toEqual([expect.objectContaining({ error: 'rate limited' })]);
    const again = await watchCertificateExpiry(test.db.prisma, { now: start });
    expect(again.renewalFailures).toEqual([]);
  });

  it('the scheduled job runs a pass at once (no storage: the watcher only)', async () => {
    await test.systemPool.query('UPDATE certificates SET warned_days = NULL WHERE id = $1', [certs.three]);
    const job = scheduleCertificateJob(test.db.prisma, { everyMs: 3_600_000 });
    try {
      const pass = await job.ready;
      expect(pass?.collected).toBeNull();
      expect(pass?.watched.warnings.map((w) => w.domain)).toContainEqual(expect.stringMatching(/^three-/));
    } finally {
      job.stop();
    }
  });
});
