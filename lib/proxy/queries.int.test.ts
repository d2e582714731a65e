// The Proxy status page's read against a real PostgreSQL: newest syncs first and bounded, the last good pass found
// past a rejected one, and domains counted as serving only when a load carried them as they are now.
import { describe, expect, it } from 'vitest';

import { asSystem } from '@/lib/db/context';
import { insertRow, newProject, newUser, setUpTestDatabase, systemTx, uniqueName } from '@/lib/testing/fixtures';

import { readProxyStatus, RECENT_SYNCS } from './queries';

const test = setUpTestDatabase();

describe('readProxyStatus', () => {
  it('lists the newest syncs first, finds the last good one past a rejection, and counts serving domains', async () => {
    const pool = test().systemPool;
    await systemTx(pool, async (client) => {
      for (let i = 0; i < RECENT_SYNCS + 5; i += 1) {
        await client.query(
          `INSERT INTO proxy_syncs (started_at, trigger, result, route_count) VALUES (now() - make_interval(mins => $1), 'schedule', 'loaded', $2)`,
          [100 - i, i],
        );
      }
      await client.query(
        `INSERT INTO proxy_syncs (started_at, trigger, result, route_count, error) VALUES (now(), 'domain', 'rejected', 0, 'bad port')`,
      );
    });
    const owner = await newUser(test());
    const project = await newProject(test(), owner);
    const app = await insertRow(pool, 'applications', {
      project_id: project.id,
      name: uniqueName('app'),
      type: 'git',
      source_type: 'github',
      source_config: JSON.stringify({ repository: 'acme/x', branch: 'main' }),
    });
    const domain = (routed: string | null, updated: string) =>
      insertRow(pool, 'domains', {
        project_id: project.id,
        domain: `${uniqueName('d')}.example.com`,
        target_type: 'application',
        target_id: app.id,
        routed_at: routed,
        updated_at: updated,
      });
    await domain('2026-12-03T10:00:00Z', '2026-12-03T09:00:00Z'); // serving
    await domain('2026-12-03T10:00:00Z', '2026-12-03T11:00:00Z'); // edited after the load: pending
    await domain(null, '2026-12-03T09:00:00Z'); // never loaded: pending

    const status = await asSystem(test().db.prisma, (tx) => readProxyStatus(tx));
    expect(status.recent).toHaveLength(RECENT_SYNCS);
    expect(status.recent[0]).toMatchObject({ result: 'rejected', error: 'bad port', trigger: 'domain' });
    expect(status.recent[1]).toMatchObject({ result: 'loaded', routeCount: RECENT_SYNCS + 4 });
    const started = status.recent.map((row) => row.startedAt.getTime());
    expect([...started].sort((a, b) => b - a)).toEqual(started);
    expect(status.lastGood).toMatchObject({ result: 'loaded', routeCount: RECENT_SYNCS + 4 });
    expect(status).toMatchObject({ serving: 1, pending: 2 });
  });
});
