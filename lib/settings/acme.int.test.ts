import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { KeyRing } from '@/lib/crypto';
import { asSystem } from '@/lib/db/context';
import { runAsSystem } from '@/lib/db/work';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertAppTree, insertDomain, newUser, refusal, workContext, type TestUser } from '@/lib/testing/fixtures';
import type { AcmeSettingsInput } from '@/lib/validation/certificate';

import { readAcmeSettings, readAcmeSettingsView, updateAcmeSettings } from './acme';

let test: TestDatabase;
let admin: TestUser;
let developer: TestUser;
const ring: KeyRing = { current: 1, keys: new Map([[1, randomBytes(32)]]) };
const TOKEN = 'cf_' + 'A1b2C3d4E5'.repeat(4);

const save = (user: TestUser, input: Partial<AcmeSettingsInput>) =>
  runAsSystem(test.db.prisma, (tx) =>
    updateAcmeSettings(
      tx,
      workContext(user),
      { acmeEmail: '', acmeCa: 'letsencrypt', acmeDirectoryUrl: '', cloudflareToken: '', panelDomain: '', ...input },
      { ring },
    ),
  );
const raw = async () =>
  (await test.systemPool.query('SELECT * FROM panel_settings WHERE id')).rows[0] as Record<string, string>;

beforeAll(async () => {
  test = await createTestDatabase();
  admin = await newUser(test, 'admin');
  developer = await newUser(test, 'developer');
});
afterAll(() => test?.drop());

describe('ACME settings', () => {
  it('an administrator saves the account, CA and Cloudflare token; the token is encrypted and only said to be set', async () => {
    const view = await save(admin, { acmeEmail: ' ops@example.com ', acmeCa: 'zerossl', cloudflareToken: TOKEN });
    expect(view).toMatchObject({ acmeEmail: 'ops@example.com', acmeCa: 'zerossl', cloudflareTokenSet: true });
    expect(JSON.stringify(view)).not.toContain(TOKEN);
    const stored = await raw();
    expect(stored.cloudflare_token).toMatch(/^enc:v1:1:/);
    expect(stored.cloudflare_token).not.toContain(TOKEN);
    expect(await readAcmeSettings(test.db.prisma, { ring })).toEqual({
      email: 'ops@example.com',
      ca: 'zerossl',
      directoryUrl: 'https://acme.zerossl.com/v2/DV90',
      cloudflareToken: TOKEN,
    });
    const audit = await asSystem(test.db.prisma, (tx) =>
      tx.auditLog.findFirst({ where: { action: 'settings.update', userId: admin.id }, orderBy: { id: 'desc' } }),
    );
    expect(audit?.details).toMatchObject({ setting: 'acme', cloudflare: 'replaced' });
    expect(JSON.stringify(audit?.details)).not.toContain(TOKEN);
  });

  it('a blank token keeps the saved one; clearing removes it', async () => {
    const before = (await raw()).cloudflare_token;
    await save(admin, { acmeCa: 'custom', acmeDirectoryUrl: 'https://acme.internal.example/directory' });
    expect((await raw()).cloudflare_token).toBe(before);
    expect(await readAcmeSettings(test.db.prisma, { ring })).toMatchObject({
      ca: 'custom',
      directoryUrl: 'https://acme.internal.example/directory',
      cloudflareToken: TOKEN,
    });
    await save(admin, { acmeCa: 'internal', clearCloudflareToken: 'on' });
    expect((await raw()).cloudflare_token).toBe('');
    expect(await readAcmeSettingsView(test.db.prisma)).toMatchObject({ cloudflareTokenSet: false, acmeCa: 'internal' });
    expect(await readAcmeSettings(test.db.prisma, { ring })).toMatchObject({
      directoryUrl: null,
      cloudflareToken: null,
    });
  });

  it.each<[string, Partial<AcmeSettingsInput>, string, RegExp]>([
    [
      'an http directory',
      { acmeCa: 'custom', acmeDirectoryUrl: 'http://acme.example/dir' },
      'acmeDirectoryUrl',
      /https:\/\//,
    ],
    ['a custom CA without a URL', { acmeCa: 'custom' }, 'acmeDirectoryUrl', /Enter the ACME directory URL/],
    [
      'a URL with a quote',
      { acmeCa: 'custom', acmeDirectoryUrl: 'https://a.example/"x' },
      'acmeDirectoryUrl',
      /like https/,
    ],
    ['a bad email', { acmeEmail: 'ops at example' }, 'acmeEmail', /email address/],
    ['ZeroSSL without an email', { acmeCa: 'zerossl' }, 'acmeEmail', /ZeroSSL needs an account email/],
    ['an unknown CA', { acmeCa: 'buypass' as never }, 'acmeCa', /Choose a certificate authority/],
    ['a token with a newline', { cloudflareToken: `${TOKEN}\nX-Evil: 1` }, 'cloudflareToken', /Cloudflare API token/],
    [
      'a token and clearing at once',
      { cloudflareToken: TOKEN, clearCloudflareToken: 'on' },
      'cloudflareToken',
      /not both/,
    ],
  ])('refuses %s and changes nothing', async (_name, input, field, message) => {
    const before = await raw();
    const error = await refusal(save(admin, input));
    expect(error.code).toBe('invalid');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(await raw()).toEqual(before);
  });

  it('saves the panel domain normalised (lower case, no trailing dot, punycode) and audits the change', async () => {
    const view = await save(admin, { panelDomain: ' Panel.Bücher.Example. ' });
    expect(view.panelDomain).toBe('panel.xn--bcher-kva.example');
    expect((await raw()).panel_domain).toBe('panel.xn--bcher-kva.example');
    expect(await readAcmeSettingsView(test.db.prisma)).toMatchObject({ panelDomain: 'panel.xn--bcher-kva.example' });
    const audit = await asSystem(test.db.prisma, (tx) =>
      tx.auditLog.findFirst({ where: { action: 'settings.update', userId: admin.id }, orderBy: { id: 'desc' } }),
    );
    expect(audit?.details).toMatchObject({ to: { panelDomain: 'panel.xn--bcher-kva.example' } });
    await save(admin, { panelDomain: '' });
    expect((await raw()).panel_domain).toBe('');
  });

  it.each<[string, string, RegExp]>([
    ['a wildcard', '*.example.com', /not a wildcard/],
    ['a scheme', 'https://panel.example.com', /without the scheme/],
    ['a port', 'panel.example.com:8443', /cannot contain a port/],
    ['a single label', 'localhost', /top-level domain/],
    ['a space', 'panel example.com', /cannot contain a space/],
    ['an IP address', '203.0.113.9', /IP address/],
  ])('refuses %s as the panel domain and changes nothing', async (_name, panelDomain, message) => {
    await save(admin, { panelDomain: 'panel.example.com' });
    const before = await raw();
    const error = await refusal(save(admin, { panelDomain }));
    expect(error.code).toBe('invalid');
    expect(error.field).toBe('panelDomain');
    expect(error.message).toMatch(message);
    expect(await raw()).toEqual(before);
  });

  it('refuses a panel domain an application domain already holds, in any project', async () => {
    const tree = await insertAppTree(test.systemPool);
    await insertDomain(
      test.systemPool,
      { projectId: tree.projectId, type: 'application', id: tree.appId },
      {
        domain: 'shop.example.com',
      },
    );
    await save(admin, { panelDomain: 'panel.example.com' });
    const before = await raw();
    const error = await refusal(save(admin, { panelDomain: 'Shop.Example.com' }));
    expect(error.code).toBe('conflict');
    expect(error.field).toBe('panelDomain');
    expect(error.message).toMatch(/shop\.example\.com is already a domain of a project/);
    expect(await raw()).toEqual(before);
  });

  it('a developer may not change them, and the attempt is audited', async () => {
    const before = await raw();
    const error = await refusal(save(developer, { acmeEmail: 'me@example.com' }));
    expect(error.code).toBe('forbidden');
    expect(await raw()).toEqual(before);
    const denied = await asSystem(test.db.prisma, (tx) =>
      tx.auditLog.count({ where: { action: 'authz.denied', userId: developer.id } }),
    );
    expect(denied).toBe(1);
  });
});
