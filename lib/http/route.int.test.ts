// authenticated(), the wrapper of every route handler under app/api, against a real PostgreSQL: who gets in (API
// tokens here: a cookie needs a Next.js request scope), the shared 401, AppError codes to statuses from the one map,
// a 500 that hides its cause, the headers every answer carries, and the refusal of another site's cookie request.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createApiToken } from '@/lib/auth/tokens';
import { database } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { APP_ERROR_STATUS, AppError, type AppErrorCode } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertUser } from '@/lib/testing/fixtures';

import { CROSS_ORIGIN_REFUSED } from './origin';
import { authenticated, NOT_SIGNED_IN, SERVER_FAILED } from './route';

let t: TestDatabase;
let userId: string;
let token: string;

beforeAll(async () => {
  t = await createTestDatabase();
  // authenticateRequest opens the process database from the environment, as the panel does.
  process.env.DATABASE_URL = t.url;
  process.env.SLIPWAY_DB_POOL_SIZE = '2';
  userId = (await insertUser(t.db.pool, { role: 'developer' })).id;
  ({ token } = await asSystem(t.db.prisma, (tx) =>
    createApiToken(tx, { actor: { id: userId, role: 'developer' } }, { name: 'route', expiresInDays: 1 }),
  ));
});

afterAll(async () => {
  await (await database().catch(() => null))?.close();
  await t?.drop();
});

const call = <P>(handler: ReturnType<typeof authenticated<P>>, headers: Record<string, string>, params: P) =>
  handler(new Request('http://localhost/api/thing', { headers }), { params: Promise.resolve(params) });
const bearer = () => ({ authorization: `Bearer ${token}` });

describe('authenticated', () => {
  it('refuses a caller without credentials, with a bad token or another scheme: 401, Bearer challenge, handler never run', async () => {
    const handler = vi.fn(async () => new Response('secret'));
    const route = authenticated(handler);
    for (const headers of [
      {},
      { authorization: `Bearer ${token}x` },
      { authorization: `Basic ${token}` },
      { authorization: 'Bearer' },
    ] as Record<string, string>[]) {
      const response = await call(route, headers, {});
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: NOT_SIGNED_IN } });
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('hands the handler the user, a work context naming them, and the params; adds no-store and nosniff', async () => {
    const route = authenticated<{ appId: string }>(async (request, { user, ctx, params }) =>
      Response.json({
        user: user.id,
        actor: ctx.actor.id,
        agent: ctx.meta?.userAgent,
        appId: params.appId,
        url: request.url,
      }),
    );
    const response = await call(route, { ...bearer(), 'user-agent': 'route-test/1' }, { appId: 'a1' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      user: userId,
      actor: userId,
      agent: 'route-test/1',
      appId: 'a1',
      url: 'http://localhost/api/thing',
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("keeps a handler's own cache-control and status (an event stream is no-cache, no-transform)", async () => {
    const route = authenticated(
      async () => new Response('data: 1\n\n', { status: 202, headers: { 'cache-control': 'no-cache, no-transform' } }),
    );
    const response = await call(route, bearer(), {});
    expect(response.status).toBe(202);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(await response.text()).toBe('data: 1\n\n');
  });

  it('answers every AppError code with the status of the one map, its message and its field', async () => {
    for (const [code, status] of Object.entries(APP_ERROR_STATUS) as [AppErrorCode, number][]) {
      const route = authenticated(async () => {
        throw new AppError(code, `Refused: ${code}.`, { field: 'name' });
      });
      const response = await call(route, bearer(), {});
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, message: `Refused: ${code}.`, field: 'name' } });
      expect(response.headers.get('www-authenticate')).toBe(status === 401 ? 'Bearer' : null);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers anything else with a 500 that says nothing of its cause, and logs the cause', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const route = authenticated(async () => {
        throw new Error('connection to 10.0.0.7 refused: password authentication failed for user "slipway"');
      });
      const response = await call(route, bearer(), {});
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: SERVER_FAILED } });
      expect(text).not.toMatch(/10\.0\.0\.7|password|at .*route/);
      expect(logged).toHaveBeenCalledWith('[slipway] GET /api/thing failed', expect.any(Error));
    } finally {
      logged.mockRestore();
    }
  });

  it('refuses a request from another site that would get in by the session cookie: 403, before any session work', async () => {
    const handler = vi.fn(async () => new Response('secret'));
    const route = authenticated(handler);
    const cookie = { cookie: 'next-auth.session-token=stolen-by-the-browser' };
    for (const origin of ['http://evil.example', 'http://localhost:8080', 'null', 'not a url']) {
      for (const host of [{}, { host: 'localhost' }] as Record<string, string>[]) {
        const response = await call(route, { ...cookie, ...host, origin }, {});
        expect(response.status, origin).toBe(403);
        expect(await response.json()).toEqual({ error: { code: 'forbidden', message: CROSS_ORIGIN_REFUSED } });
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('judges a cookie request from its own origin, or without Origin, on the cookie (no refusal for the origin)', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const route = authenticated(async () => new Response('secret'));
      for (const headers of [
        { origin: 'http://localhost' },
        { origin: 'https://panel.test', host: '10.0.0.2:3000', 'x-forwarded-host': 'panel.test' },
        {},
      ] as Record<string, string>[]) {
        // Outside a Next.js request the cookie cannot be read, so the session step fails here; what matters is
        // that it was reached: the answer is not the cross-site refusal.
        const response = await call(route, { cookie: 'next-auth.session-token=x', ...headers }, {});
        expect(response.status).not.toBe(403);
      }
    } finally {
      logged.mockRestore();
    }
  });

  it('judges an API token request on the token alone, whatever its Origin (a token is never sent by the browser)', async () => {
    const route = authenticated(async (_request, { user }) => Response.json({ user: user.id }));
    const response = await call(route, { ...bearer(), origin: 'http://evil.example' }, {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: userId });
  });
});
