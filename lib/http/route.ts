// The one wrapper of every authenticated route handler under app/api (webhooks authenticate by signature and health
// is public, so those two do not use it). It finds the caller (session cookie or `Authorization: Bearer <API token>`),
// answers the shared 401 otherwise, hands the handler the user and a WorkContext, and turns what the handler throws
// into the one error body: an AppError gets the status of its code (lib/errors.ts) and its message, anything else a
// 500 whose detail stays in the server log. A request from another site that would be let in by the session cookie is
// refused (403) before any session work: the browser attaches the cookie to any site's request, while an API token
// is sent only by whoever holds it, so token requests are judged on the token alone. Every answer is `no-store`
// unless the handler chose (an event stream says no-cache, no-transform) and `nosniff`.
import { authenticateRequest, type SessionUser } from '@/lib/auth/session';
import type { WorkContext } from '@/lib/db/work';
import { AppError, httpStatusFor, type AppErrorCode } from '@/lib/errors';

import { CROSS_ORIGIN_REFUSED, isCrossOrigin } from './origin';
import { requestMetaFrom } from './request-meta';

export const NOT_SIGNED_IN = 'Not signed in, or the API token is invalid, expired or revoked.';
export const SERVER_FAILED =
  'Something went wrong on the server; try again. If it keeps happening, the server log says why.';

/** The body of every error answer. */
export type ErrorBody = { error: { code: AppErrorCode | 'internal'; message: string; field?: string } };

export type RouteContext<P> = {
  user: SessionUser;
  /** The actor and where the request came from, for runAsUser and the audit log. */
  ctx: WorkContext;
  params: P;
};

type NextRouteHandler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

/** `GET = authenticated<{ appId: string }>(async (request, { user, ctx, params }) => …)`; see the file comment. */
export function authenticated<P = Record<string, never>>(
  handler: (request: Request, context: RouteContext<P>) => Promise<Response>,
): NextRouteHandler<P> {
  return async (request, context) => {
    let response: Response;
    try {
      // A request with neither a cookie nor a token is refused before any session or database work.
      const byCookie = !request.headers.has('authorization');
      const anonymous = byCookie && !request.headers.has('cookie');
      if (!anonymous && byCookie && isCrossOrigin(request.headers, { fallbackHost: new URL(request.url).host })) {
        throw new AppError('forbidden', CROSS_ORIGIN_REFUSED);
      }
      const user = anonymous ? null : await authenticateRequest(request);
      if (!user) throw new AppError('unauthorized', NOT_SIGNED_IN);
      const params = ((await context?.params) ?? {}) as P;
      response = await handler(request, { user, ctx: { actor: user, meta: requestMetaFrom(request) }, params });
    } catch (error) {
      response = errorResponse(error, request);
    }
    return withSafeHeaders(response);
  };
}

/** The error answer for whatever a handler threw. */
export function errorResponse(error: unknown, request?: Request): Response {
  if (error instanceof AppError) {
    const body: ErrorBody = {
      error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
    };
    const status = httpStatusFor(error.code);
    // RFC 9110: a 401 names the scheme that would work.
    return Response.json(body, { status, headers: status === 401 ? { 'www-authenticate': 'Bearer' } : {} });
  }
  console.error(
    `[slipway] ${request ? `${request.method} ${new URL(request.url).pathname}` : 'route handler'} failed`,
    error,
  );
  return Response.json({ error: { code: 'internal', message: SERVER_FAILED } } satisfies ErrorBody, { status: 500 });
}

function withSafeHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
  headers.set('x-content-type-options', 'nosniff');
  // A new Response: one from Response.redirect() or fetch() has headers that cannot be changed in place.
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
