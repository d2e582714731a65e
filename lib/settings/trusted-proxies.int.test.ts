// The trusted proxies setting against a real PostgreSQL: who may change it, what is stored and audited, the
// environment override, and that applying it changes the address the server's listener attributes a request to.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, describe, expect, it } from 'vitest';

import { runAsSystem } from '@/lib/db/work';
import {
  CLIENT_IP_HEADER,
  createClientIpListener,
  currentTrustedProxies,
  parseTrustedProxies,
  setTrustedProxies,
} from '@/lib/http/client-ip';
import { newUser, refusal, setUpTestDatabase, workContext, type TestUser } from '@/lib/testing/fixtures';

import { applyTrustedProxies, isPrivateAddress, readTrustedProxies, updateTrustedProxies } from './trusted-proxies';

const test = setUpTestDatabase();
const before = currentTrustedProxies();
afterAll(() => setTrustedProxies(before));

const save = (user: TestUser, trustedProxies: string, override: string | null = null) =>
  runAsSystem(test().db.prisma, (tx) =>
    updateTrustedProxies(tx, workContext(user), { trustedProxies }, override ? parseTrustedProxies(override) : null),
  );

describe('updateTrustedProxies', () => {
  it('lets an administrator save a list, stored as parsed, and audits the change', async () => {
    const admin = await newUser(test(), 'admin');
    const saved = await save(admin, ' 10.0.0.0/8,,  ::ffff:172.18.0.1\n192.168.1.1 ');
    expect(saved.entries).toEqual(['10.0.0.0/8', '172.18.0.1', '192.168.1.1']);
    const view = await readTrustedProxies(test().db.prisma, null);
    expect(view).toMatchObject({ source: 'panel', saved: '10.0.0.0/8, 172.18.0.1, 192.168.1.1' });
    expect(view.applied).toEqual(['10.0.0.0/8', '172.18.0.1', '192.168.1.1']);
    const { rows } = await test().db.pool.query(
      "SELECT user_id, details FROM audit_logs WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0]).toEqual({
      user_id: admin.id,
      details: { setting: 'trusted_proxies', from: '', to: '10.0.0.0/8, 172.18.0.1, 192.168.1.1' },
    });
  });

  it('refuses a developer, and records the refusal', async () => {
    const developer = await newUser(test(), 'developer');
    expect((await refusal(save(developer, '10.0.0.1'))).code).toBe('forbidden');
    const { rows } = await test().db.pool.query(
      "SELECT details FROM audit_logs WHERE action = 'authz.denied' AND user_id = $1",
      [developer.id],
    );
    expect(rows).toEqual([{ details: { action: 'settings.manage', setting: 'trusted_proxies' } }]);
  });

  it.each(['nope', '10.0.0.0/33', '10.0.0.1:80', 'x'.repeat(2001)])(
    'refuses %s, naming what is wrong',
    async (text) => {
      const admin = await newUser(test(), 'super_admin');
      await expect(save(admin, text)).rejects.toThrow(/Invalid trusted proxy|At most 2000/);
    },
  );

  it('refuses to change the list while SLIPWAY_TRUSTED_PROXIES overrides it, and shows the override', async () => {
    const admin = await newUser(test(), 'admin');
    const error = await refusal(save(admin, '10.0.0.1', '192.0.2.1'));
    expect(error).toMatchObject({ code: 'conflict', field: 'trustedProxies' });
    expect(error.message).toContain('SLIPWAY_TRUSTED_PROXIES (192.0.2.1)');
    const view = await readTrustedProxies(test().db.prisma, parseTrustedProxies('192.0.2.1'));
    expect(view).toMatchObject({ source: 'environment', applied: ['192.0.2.1'] });
  });
});

describe('applyTrustedProxies', () => {
  it('changes which address the server attributes a forwarded request to', async () => {
    const server = http.createServer(
      createClientIpListener((req, res) => res.end(String(req.headers[CLIENT_IP_HEADER])), currentTrustedProxies),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const seen = async () => (await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.23' } })).text();
      const admin = await newUser(test(), 'admin');

      await save(admin, '');
      await applyTrustedProxies(test().db.prisma, null);
      expect(await seen()).toBe('127.0.0.1');

      await save(admin, '127.0.0.1');
      await applyTrustedProxies(test().db.prisma, null);
      expect(await seen()).toBe('198.51.100.23');

      // The environment's list wins over what is saved.
      await applyTrustedProxies(test().db.prisma, parseTrustedProxies('10.9.9.9'));
      expect(await seen()).toBe('127.0.0.1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['172.18.0.1', true],
    ['10.1.2.3', true],
    ['192.168.0.10', true],
    ['fd12::1', true],
    ['::1', true],
    ['203.0.113.9', false],
    ['2001:db8::1', false],
    [null, false],
  ])('%s → %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});
