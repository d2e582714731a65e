// authenticated(), the wrapper of every route handler under app/api, against a real PostgreSQL: who gets in (API
// tokens here: a cookie needs a Next.js request scope), the shared 401, AppError codes to statuses from the one map,
// a 500 that hides its cause, and the headers every answer carries.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createApiToken } from '@/lib/auth/tokens';
import { database } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { APP_ERROR_STATUS, AppError, type AppErrorCode } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertUser } from '@/lib/testing/fixtures';

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
});
