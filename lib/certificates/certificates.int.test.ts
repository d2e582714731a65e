import { createPrivateKey, randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decryptSecret, type KeyRing } from '@/lib/crypto';
import { asSystem } from '@/lib/db/context';
import { runAsUser } from '@/lib/db/work';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import {
  count,
  insertApplication,
  insertDomain,
  newProject,
  newUser,
  refusal,
  uniqueName,
  workContext,
  type TestUser,
} from '@/lib/testing/fixtures';

import { removeCustomCertificate, uploadCustomCertificate } from './mutations';
import { PRIVATE_KEY_AAD } from './private-key';
import { getDomainCertificates } from './queries';
import { makeTestPki, type TestPair, type TestPki } from './testing';

let test: TestDatabase;
let pki: TestPki;
const ring: KeyRing = { current: 1, keys: new Map([[1, randomBytes(32)]]) };
let alice: TestUser;
let bob: TestUser;
let viewer: TestUser;
let shop: { id: string; name: string };
let other: { id: string; name: string };
let good: TestPair;
let notified: string[] = [];
const options = () => ({ ring, notify: (trigger: string) => notified.push(trigger) });

const upload = (user: TestUser, domainId: string, chain: string, key: string) =>
  uploadCustomCertificate(test.db.prisma, workContext(user), { domainId, chain, key }, options());
const read = (user: TestUser, domainId: string) =>
  runAsUser(test.db.prisma, workContext(user), (tx) => getDomainCertificates(tx, workContext(user), { domainId }));
const rows = (domainId: string) =>
  test.systemPool.query<{ private_key: string; source: string; fingerprint: string; issuer: string }>(
    'SELECT * FROM certificates WHERE domain_id = $1',
    [domainId],
  );

beforeAll(async () => {
  test = await createTestDatabase();
  pki = await makeTestPki();
  [alice, bob, viewer] = [await newUser(test), await newUser(test), await newUser(test)];
  const main = await newProject(test, alice, { members: [[viewer, 'viewer']] });
  const theirs = await newProject(test, bob);
  const app = await insertApplication(test.db.pool, main.id);
  const bobApp = await insertApplication(test.db.pool, theirs.id);
  const domain = async (projectId: string, appId: string) => {
    const name = `${uniqueName('shop')}.example.com`;
    const row = await insertDomain(test.db.pool, { projectId, type: 'application', id: appId }, { domain: name });
    return { id: row.id, name };
  };
  shop = await domain(main.id, app.id);
  other = await domain(theirs.id, bobApp.id);
  good = await pki.leaf([shop.name]);
});
afterAll(async () => {
  await pki?.cleanup();
  await test?.drop();
});

describe('uploadCustomCertificate', () => {
  it('stores the chain as custom with the key encrypted at rest, and asks the proxy to sync', async () => {
    notified = [];
    const view = await upload(alice, shop.id, good.cert + pki.intermediate.cert, good.key);
    expect(view).toMatchObject({ source: 'custom', issuer: 'Slipway Test Intermediate', subjects: [shop.name] });
    expect(notified).toEqual(['certificate']);

    const [raw] = (await rows(shop.id)).rows;
    expect(raw!.source).toBe('custom');
    expect(raw!.fingerprint).toBe(view.fingerprint);
    expect(raw!.private_key).toMatch(/^enc:v1:1:/);
    expect(raw!.private_key).not.toContain('PRIVATE KEY');
    const plain = decryptSecret(ring, raw!.private_key, PRIVATE_KEY_AAD);
    expect(plain).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const audit = await asSystem(test.db.prisma, (tx) =>
      tx.auditLog.findFirst({ where: { action: 'certificate.upload', resourceId: shop.id } }),
    );
    expect(audit).toMatchObject({ userId: alice.id, resourceType: 'domain' });
    expect(JSON.stringify(audit?.details)).not.toContain('enc:v1');
  });

  it('never returns the private key, nor its ciphertext, from the page query', async () => {
    const page = await read(alice, shop.id);
    expect(page.current).toMatchObject({ source: 'custom', subjects: [shop.name], warnings: [] });
    expect(page.canWrite).toBe(true);
    const text = JSON.stringify(page);
    expect(text).not.toContain('enc:v1');
    expect(text).not.toContain('PRIVATE KEY');
    expect(Object.keys(page.current!)).not.toContain('privateKey');
  });

  it('refuses the same certificate twice', async () => {
    const error = await refusal(upload(alice, shop.id, good.cert, good.key));
    expect(error.message).toBe(`This certificate is already uploaded for ${shop.name}.`);
  });

  const bad: [string, () => Promise<[string, string]>, RegExp][] = [
    ['not a certificate', async () => ['hello', good.key], /This is not a PEM certificate/],
    ['a key for another certificate', async () => [good.cert, (await pki.leaf([shop.name])).key], /does not belong/],
    ['a chain for another name', async () => [...(await pair(['elsewhere.example.com']))], /does not cover/],
    ['an encrypted key', async () => [good.cert, encrypted()], /encrypted with a passphrase/],
    ['a chain out of order', async () => [good.cert + pki.root.cert, good.key], /out of order/],
  ];
  const pair = async (names: string[]) => {
    const leaf = await pki.leaf(names);
    return [leaf.cert, leaf.key] as const;
  };
  const encrypted = () =>
    String(createPrivateKey(good.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }));

  it.each(bad)('refuses %s with its message and writes nothing', async (_name, input, message) => {
    const [chain, key] = await input();
    const before = await count(test.systemPool, 'SELECT 1 FROM certificates');
    const audits = await count(test.systemPool, "SELECT 1 FROM audit_logs WHERE action = 'certificate.upload'");
    notified = [];
    const error = await refusal(upload(alice, shop.id, chain, key));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(message);
    expect(await count(test.systemPool, 'SELECT 1 FROM certificates')).toBe(before);
    expect(await count(test.systemPool, "SELECT 1 FROM audit_logs WHERE action = 'certificate.upload'")).toBe(audits);
    expect(notified).toEqual([]);
  });

  it("refuses an expired chain (the server's clock past its end)", async () => {
    const leaf = await pki.leaf([shop.name], { days: 1 });
    const later = new Date(Date.now() + 3 * 86_400_000);
    const error = await refusal(
      uploadCustomCertificate(
        test.db.prisma,
        workContext(alice),
        { domainId: shop.id, chain: leaf.cert, key: leaf.key },
        { ...options(), now: later },
      ),
    );
    expect(error.message).toMatch(/^The certificate expired on/);
  });

  it("another project's user can neither upload to, read, nor remove a domain, and each try is audited", async () => {
    const theirs = await pki.leaf([other.name]);
    const denied = () => count(test.systemPool, "SELECT 1 FROM audit_logs WHERE action = 'authz.denied'");
    const before = await denied();
    const up = await refusal(upload(alice, other.id, theirs.cert, theirs.key));
    expect(up.code).toBe('not_found');
    expect(up.message).toBe('This domain does not exist, or you do not have access to it.');
    expect((await refusal(read(bob, shop.id))).code).toBe('not_found');
    expect(
      (await refusal(removeCustomCertificate(test.db.prisma, workContext(bob), { domainId: shop.id }, options()))).code,
    ).toBe('not_found');
    expect(await denied()).toBe(before + 3);
    expect((await rows(other.id)).rows).toHaveLength(0);
    expect((await rows(shop.id)).rows).toHaveLength(1);
  });

  it('a viewer of the project may read the certificate but not upload one', async () => {
    expect((await read(viewer, shop.id)).canWrite).toBe(false);
    const error = await refusal(upload(viewer, shop.id, good.cert, good.key));
    expect(error.code).toBe('forbidden');
  });

  it('removing the custom certificate deletes it and asks the proxy to sync', async () => {
    notified = [];
    expect(await removeCustomCertificate(test.db.prisma, workContext(alice), { domainId: shop.id }, options())).toEqual(
      { removed: 1 },
    );
    expect(notified).toEqual(['certificate']);
    expect((await rows(shop.id)).rows).toHaveLength(0);
    expect((await read(alice, shop.id)).current).toBeNull();
  });
});
