import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { asSystem, type Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { PROXY_CHANNEL, requestProxySync } from '@/lib/proxy/sync';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { actAs, CIPHERTEXT, refusal, TEST_META, uniqueName, withSuperuser } from '@/lib/testing/fixtures';

import { addDomain, changeDomains, domainErrorFrom, domainTaken, removeDomain, updateDomain } from './mutations';
import { listDomainsForApplication, listDomainsForProject } from './queries';

// alice owns `main` (applications api and web, an archived one, database pg) and a team project where tina is a team
// viewer; bob is another tenant with his own project and application.
let test: TestDatabase;
const ids = {
  alice: '',
  bob: '',
  tina: '',
  main: '',
  shared: '',
  bobs: '',
  api: '',
  web: '',
  old: '',
  pg: '',
  bobApp: '',
  sharedApp: '',
};

const prisma = () => test.db.prisma;
const as = <T>(id: string, work: (tx: Tx, c: WorkContext) => Promise<T>) =>
  actAs(test, { id, role: 'developer' }, work, domainErrorFrom);
const stored = (domain: string) => asSystem(prisma(), (tx) => tx.domain.findUnique({ where: { domain } }));
const allNames = async () =>
  (await asSystem(prisma(), (tx) => tx.domain.findMany({ select: { domain: true } }))).map((d) => d.domain).sort();
const audits = (action: string) =>
  asSystem(prisma(), (tx) => tx.auditLog.findMany({ where: { action }, orderBy: { id: 'asc' } }));
const unique = () => `${uniqueName('d')}.example.com`;
const add = (overrides: Record<string, unknown> = {}) => ({
  projectId: ids.main,
  targetType: 'application' as const,
  targetId: ids.api,
  domain: unique(),
  pathPrefix: '',
  containerPort: '',
  tlsEnabled: true,
  withPartner: false,
  ...overrides,
});

beforeAll(async () => {
  test = await createTestDatabase();
  await asSystem(prisma(), async (tx) => {
    const user = async () => {
      const username = uniqueName('u');
      return (
        await tx.user.create({
          data: { username, email: `${username}@example.com`, authProvider: 'github', role: 'developer' },
        })
      ).id;
    };
    [ids.alice, ids.bob, ids.tina] = [await user(), await user(), await user()];
    const team = await tx.team.create({
      data: {
        name: uniqueName('Team'),
        members: {
          create: [
            { userId: ids.alice, role: 'owner' },
            { userId: ids.tina, role: 'viewer' },
          ],
        },
      },
    });
    const project = async (ownerId: string, teamId?: string) =>
      (await tx.project.create({ data: { name: uniqueName('p'), ownerId, teamId } })).id;
    [ids.main, ids.shared, ids.bobs] = [
      await project(ids.alice),
      await project(ids.alice, team.id),
      await project(ids.bob),
    ];
    const app = async (projectId: string, name: string, deletedAt?: Date) =>
      (await tx.application.create({ data: { projectId, name, type: 'git', sourceType: 'github', deletedAt } })).id;
    [ids.api, ids.web, ids.old] = [
      await app(ids.main, 'api'),
      await app(ids.main, 'web'),
      await app(ids.main, 'old', new Date()),
    ];
    ids.sharedApp = await app(ids.shared, 'team-app');
    ids.bobApp = await app(ids.bobs, 'bapp');
    ids.pg = (
      await tx.database.create({
        data: { projectId: ids.main, name: 'pg', type: 'postgresql', connectionString: CIPHERTEXT },
      })
    ).id;
  });
});

afterAll(async () => {
  await test?.drop();
});

describe('adding a domain', () => {
  it('stores it normalized, audits it, lists it as pending with its Unicode name, and asks the proxy to sync', async () => {
    const name = `${uniqueName('bücher')}.de`;
    const ctx = { actor: { id: ids.alice, role: 'developer' as const }, meta: TEST_META };
    // The request is fire-and-forget: the NOTIFY is awaited as it arrives on a connection listening for it.
    const heard = await withSuperuser(test.adminUrl, async (client) => {
      const payloads: string[] = [];
      client.on('notification', (message) => payloads.push(message.payload ?? ''));
      await client.query(`LISTEN ${client.escapeIdentifier(PROXY_CHANNEL)}`);
      await changeDomains(
        prisma(),
        ctx,
        (tx) =>
          addDomain(tx, ctx, add({ domain: ` ${name.toUpperCase()}. `, pathPrefix: '/api', containerPort: '8080' })),
        { notify: (trigger) => requestProxySync(trigger, test.db.pool) },
      );
      while (payloads.length === 0) await new Promise((resolve) => client.once('notification', resolve));
      return payloads;
    });
    expect(heard).toEqual(['domain']);
    const ascii = (await allNames()).find((d) => d.startsWith('xn--') && d.endsWith('.de'))!;
    expect(ascii).toMatch(/^xn--[a-z0-9-]+\.de$/);
    expect(await stored(ascii)).toMatchObject({
      projectId: ids.main,
      targetType: 'application',
      targetId: ids.api,
      pathPrefix: '/api',
      containerPort: 8080,
      tlsEnabled: true,
      redirectToId: null,
      routedAt: null,
    });
    const row = (await stored(ascii))!;
    expect(
      (await audits('domain.create')).find(
        (a) => a.resourceId === ids.api && (a.details as { domainId: string }).domainId === row.id,
      ),
    ).toMatchObject({
      userId: ids.alice,
      resourceType: 'application',
      details: { domain: ascii, pathPrefix: '/api', containerPort: 8080, projectId: ids.main },
      ipAddress: TEST_META.ip,
    });

    const listed = await as(ids.alice, (tx, c) => listDomainsForApplication(tx, c, { applicationId: ids.api }));
    expect(listed.domains.find((d) => d.id === row.id)).toMatchObject({
      domain: ascii,
      display: name,
      status: 'pending',
      certificate: null,
    });

    // The reconciler loads it (routed_at after updated_at), a certificate arrives: serving, with issuer and expiry.
    const expiresAt = new Date(Date.now() + 90 * 86_400_000);
    await asSystem(prisma(), async (tx) => {
      await tx.domain.update({ where: { id: row.id }, data: { routedAt: row.updatedAt } });
      await tx.certificate.create({
        data: {
          domainId: row.id,
          issuer: 'Old CA',
          certificate: 'PEM',
          privateKey: CIPHERTEXT,
          expiresAt,
          createdAt: new Date(Date.now() - 86_400_000),
        },
      });
      await tx.certificate.create({
        data: { domainId: row.id, issuer: "Let's Encrypt", certificate: 'PEM', privateKey: CIPHERTEXT, expiresAt },
      });
    });
    const project = await as(ids.alice, (tx, c) => listDomainsForProject(tx, c, { projectId: ids.main }));
    const view = project.domains.find((d) => d.id === row.id)!;
    expect(view).toMatchObject({ status: 'serving', certificate: { issuer: "Let's Encrypt", expiresAt } });
    expect(JSON.stringify(view)).not.toMatch(/PEM|enc:v1/); // never the certificate or its key

    // An edit moves updated_at: pending again until the proxy has loaded it.
    await as(ids.alice, (tx, c) =>
      updateDomain(tx, c, {
        projectId: ids.main,
        domainId: row.id,
        pathPrefix: '/v2',
        containerPort: '',
        tlsEnabled: true,
        redirectToId: '',
      }),
    );
    const edited = await as(ids.alice, (tx, c) => listDomainsForApplication(tx, c, { applicationId: ids.api }));
    expect(edited.domains.find((d) => d.id === row.id)).toMatchObject({
      status: 'pending',
      pathPrefix: '/v2',
      containerPort: null,
    });
  });

  it('asks the proxy nothing when the change is refused', async () => {
    const ctx = { actor: { id: ids.alice, role: 'developer' as const }, meta: TEST_META };
    const asked: string[] = [];
    await refusal(
      changeDomains(prisma(), ctx, (tx) => addDomain(tx, ctx, add({ domain: 'a..b' })), {
        notify: (t) => asked.push(t),
      }),
    );
    expect(asked).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    ['two dots', 'a..b', /empty label/],
    ['leading hyphen', '-a.com', /starts or ends with a hyphen/],
    ['trailing hyphen', 'a-.com', /starts or ends with a hyphen/],
    ['64-character label', `${'a'.repeat(64)}.com`, /at most 63/],
    [
      '254 characters',
      `${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(58)].join('.')}.com`,
      /at most 253/,
    ],
    ['bare wildcard', '*.', /Add the domain after \*\./],
    ['two wildcards', '*.*.com', /whole first label/],
    ['space', 'exa mple.com', /a space/],
    ['path', 'example.com/path', /Path prefix/],
    ['scheme', 'http://x', /without the scheme/],
    ['port', 'example.com:443', /Container port/],
    ['CR LF', 'example.com\r\nX: y', /line break/],
    ['double quote', 'exa"mple.com', /cannot contain “"”/],
    ['control character', 'exa\u0007mple.com', /invisible character U\+0007/],
    ['Latin + Cyrillic look-alike', 'p\u0430ypal.com', /xn--pypal-4ve.*mixes letters/],
  ])('refuses a domain with %s, writing nothing', async (_, domain, message) => {
    const before = await allNames();
    const error = await refusal(as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain }))));
    expect(error).toMatchObject({ code: 'invalid', options: { field: 'domain' } });
    expect(error.message).toMatch(message);
    expect(await allNames()).toEqual(before);
  });

  it.each<[string, string, RegExp]>([
    ['a space', '/my api', /a space/],
    ['a quote', '/a"b', /cannot contain “"”/],
    ['..', '/a/../b', /\. or \.\. segments/],
    ['//', '/a//b', /\/\//],
  ])('refuses a path prefix with %s', async (_, pathPrefix, message) => {
    const domain = unique();
    const error = await refusal(as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain, pathPrefix }))));
    expect(error).toMatchObject({ code: 'invalid', options: { field: 'pathPrefix' } });
    expect(error.message).toMatch(message);
    expect(await stored(domain)).toBeNull();
  });

  it("refuses another project's domain as taken, the same way as one of this project's, without naming the project", async () => {
    const theirs = unique();
    await as(ids.bob, (tx, c) => addDomain(tx, c, add({ projectId: ids.bobs, targetId: ids.bobApp, domain: theirs })));
    const error = await refusal(as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: theirs }))));
    expect(error).toMatchObject({ code: 'conflict', message: domainTaken(theirs), options: { field: 'domain' } });
    const bobsProject = (await asSystem(prisma(), (tx) => tx.project.findUnique({ where: { id: ids.bobs } })))!;
    expect(error.message).not.toContain(bobsProject.name);
    expect(error.message).not.toContain('bapp');
    expect((await stored(theirs))!.projectId).toBe(ids.bobs);

    const ours = unique();
    const again = (tx: Tx, c: WorkContext) => addDomain(tx, c, add({ domain: ours, targetId: ids.web }));
    await as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: ours })));
    expect((await refusal(as(ids.alice, again))).message).toBe(domainTaken(ours));
  });

  it("refuses the panel's own domain, writing nothing", async () => {
    const panel = unique();
    await asSystem(prisma(), (tx) => tx.$executeRaw`UPDATE panel_settings SET panel_domain = ${panel} WHERE id`);
    try {
      const error = await refusal(as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: panel.toUpperCase() }))));
      expect(error).toMatchObject({ code: 'conflict', options: { field: 'domain' } });
      expect(error.message).toContain("this panel's own domain");
      expect(await stored(panel)).toBeNull();
    } finally {
      await asSystem(prisma(), (tx) => tx.$executeRaw`UPDATE panel_settings SET panel_domain = '' WHERE id`);
    }
  });

  it('says a name taken by a concurrent insert (the unique index) is taken, in the same words', async () => {
    const name = unique();
    // Another tenant's insert holds the name uncommitted: alice's check sees it free, her insert waits on the index.
    const holder = await test.systemPool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        "INSERT INTO domains (project_id, domain, target_type, target_id) VALUES ($1, $2, 'application', $3)",
        [ids.bobs, name, ids.bobApp],
      );
      const racing = refusal(as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: name }))));
      for (;;) {
        const { rows } = await test.systemPool.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = \'Lock\' AND query LIKE \'INSERT INTO "public"."domains"%\'',
        );
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await holder.query('COMMIT');
      const error = await racing;
      expect(error).toMatchObject({ code: 'conflict', options: { field: 'domain' } });
      expect(error.message).toBe(
        'That domain is already in use on this server: a domain can be added once. Choose another name, or remove it where it is used first.',
      );
    } finally {
      holder.release();
    }
    expect((await stored(name))!.projectId).toBe(ids.bobs);
  });

  it('refuses a viewer, audited, writing nothing', async () => {
    const domain = unique();
    const error = await refusal(
      as(ids.tina, (tx, c) => addDomain(tx, c, add({ projectId: ids.shared, targetId: ids.sharedApp, domain }))),
    );
    expect(error).toMatchObject({
      code: 'forbidden',
      message: 'You are not allowed to change the domains of this project.',
    });
    expect(await stored(domain)).toBeNull();
    expect(
      (await audits('authz.denied')).some(
        (a) => a.userId === ids.tina && (a.details as { action: string }).action === 'domain.write',
      ),
    ).toBe(true);
  });

  it("refuses another tenant's application and an archived one as targets", async () => {
    const domain = unique();
    expect(
      (await refusal(as(ids.alice, (tx, c) => addDomain(tx, c, add({ targetId: ids.bobApp, domain }))))).code,
    ).toBe('not_found');
    expect(
      (await refusal(as(ids.alice, (tx, c) => addDomain(tx, c, add({ targetId: ids.old, domain }))))).message,
    ).toMatch(/archived/);
    expect(await stored(domain)).toBeNull();
  });

  it('routes to a database of the project', async () => {
    const domain = unique();
    await as(ids.alice, (tx, c) => addDomain(tx, c, add({ targetType: 'database', targetId: ids.pg, domain })));
    expect(await stored(domain)).toMatchObject({ targetType: 'database', targetId: ids.pg });
  });
});

describe('the www/apex partner', () => {
  it('is created as a redirect to the new domain in the same transaction, and removed with it', async () => {
    const apex = unique();
    const { domain, partner } = await as(ids.alice, (tx, c) =>
      addDomain(tx, c, add({ domain: apex, withPartner: true })),
    );
    expect(partner).toMatchObject({ domain: `www.${apex}`, redirectTo: { id: domain.id, domain: apex } });
    expect(await stored(`www.${apex}`)).toMatchObject({ redirectToId: domain.id, targetId: ids.api, pathPrefix: '/' });

    const { removed } = await as(ids.alice, (tx, c) =>
      removeDomain(tx, c, { projectId: ids.main, domainId: domain.id }),
    );
    expect(removed).toEqual([apex, `www.${apex}`]);
    expect(await stored(apex)).toBeNull();
    expect(await stored(`www.${apex}`)).toBeNull();
  });

  it('pairs www with its apex, and refuses the whole add when the partner is taken', async () => {
    const apex = unique();
    await as(ids.bob, (tx, c) => addDomain(tx, c, add({ projectId: ids.bobs, targetId: ids.bobApp, domain: apex })));
    const error = await refusal(
      as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: `www.${apex}`, withPartner: true }))),
    );
    expect(error).toMatchObject({ code: 'conflict', message: domainTaken(apex), options: { field: 'withPartner' } });
    expect(await stored(`www.${apex}`)).toBeNull();
  });
});

describe('editing a redirect', () => {
  it('accepts a domain of the same application, and refuses itself, a redirect, another application', async () => {
    const [a, b, other] = [unique(), unique(), unique()];
    const da = (await as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: a, withPartner: true })))).domain;
    const db = (await as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: b })))).domain;
    const dother = (await as(ids.alice, (tx, c) => addDomain(tx, c, add({ domain: other, targetId: ids.web })))).domain;
    const www = (await stored(`www.${a}`))!;
    const edit = (domainId: string, redirectToId: string) =>
      as(ids.alice, (tx, c) =>
        updateDomain(tx, c, {
          projectId: ids.main,
          domainId,
          pathPrefix: '/',
          containerPort: '',
          tlsEnabled: true,
          redirectToId,
        }),
      );

    expect((await refusal(edit(db.id, db.id))).message).toMatch(/cannot redirect to itself/);
    expect((await refusal(edit(db.id, www.id))).message).toMatch(/redirects itself/);
    expect((await refusal(edit(db.id, dother.id))).message).toMatch(/Choose a domain of this application/);
    expect((await refusal(edit(da.id, db.id))).message).toMatch(/www\..* redirects to .*: point it elsewhere/);
    expect((await stored(b))!.redirectToId).toBeNull();

    const before = (await stored(b))!.updatedAt;
    const moved = await edit(db.id, da.id);
    expect(moved.redirectTo).toMatchObject({ id: da.id, domain: a });
    const after = (await stored(b))!;
    expect(after.redirectToId).toBe(da.id);
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.getTime());
  });
});

describe('removing an application', () => {
  it('removes its domains and their redirects (the target trigger)', async () => {
    const doomed = await asSystem(prisma(), (tx) =>
      tx.application.create({
        data: { projectId: ids.main, name: uniqueName('gone'), type: 'git', sourceType: 'github' },
      }),
    );
    const name = unique();
    await as(ids.alice, (tx, c) => addDomain(tx, c, add({ targetId: doomed.id, domain: name, withPartner: true })));
    expect(await stored(`www.${name}`)).not.toBeNull();
    await asSystem(prisma(), (tx) => tx.application.delete({ where: { id: doomed.id } }));
    expect(await stored(name)).toBeNull();
    expect(await stored(`www.${name}`)).toBeNull();
  });
});

describe('domain_name_taken', () => {
  it("answers for another tenant's name, and leaves the caller's transaction bound by row-level security", async () => {
    const theirs = unique();
    await as(ids.bob, (tx, c) => addDomain(tx, c, add({ projectId: ids.bobs, targetId: ids.bobApp, domain: theirs })));
    const seen = await as(ids.alice, async (tx) => {
      const [answer] = await tx.$queryRaw<{ taken: boolean; free: boolean }[]>`
        SELECT domain_name_taken(${theirs}) AS taken, domain_name_taken(${unique()}) AS free`;
      const visible = await tx.domain.findMany({ select: { projectId: true } });
      return { ...answer, projects: [...new Set(visible.map((d) => d.projectId))] };
    });
    expect(seen).toEqual({ taken: true, free: false, projects: [ids.main] });
  });
});
