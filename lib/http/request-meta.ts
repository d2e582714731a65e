// Who is asking, for audit rows and sign-in throttling: the client IP that scripts/server.mjs decided from the
// socket (and trusted proxies), and the user agent. Nothing else in the request is believed for the IP: without
// that server (`next dev`, `next start`) the IP is unknown, not guessed from headers a client can set.
import { headers } from 'next/headers';

import { CLIENT_IP_HEADER, FORWARDED_IGNORED_HEADER, isClientIpServer, normalizeIp } from './client-ip';

export type RequestMeta = { ip: string | null; userAgent: string | null };

/** What audit_logs keeps of a user agent. */
export const USER_AGENT_MAX_LENGTH = 500;

/** A Fetch `Headers`, or Node's header record (what next-auth hands to `authorize`). */
export type HeadersLike = Pick<Headers, 'get'> | Record<string, string | string[] | undefined>;

function read(source: HeadersLike, name: string): string | null {
  if (typeof source.get === 'function') return (source as Pick<Headers, 'get'>).get(name);
  const value = (source as Record<string, string | string[] | undefined>)[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Request metadata from a request's headers, whatever their shape. */
export function requestMetaFromHeaders(source: HeadersLike | null | undefined): RequestMeta {
  if (!source) return { ip: null, userAgent: null };
  const userAgent = read(source, 'user-agent')?.trim().slice(0, USER_AGENT_MAX_LENGTH) || null;
  const ip = isClientIpServer() ? normalizeIp(read(source, CLIENT_IP_HEADER)) : null;
  return { ip, userAgent };
}

/** Whether the server dropped an X-Forwarded-For this request carried, its peer not being a trusted proxy. */
export function forwardedForIgnored(source: HeadersLike): boolean {
  return isClientIpServer() && read(source, FORWARDED_IGNORED_HEADER) === '1';
}

/** For server components and server actions. */
export async function getRequestMeta(): Promise<RequestMeta> {
  return requestMetaFromHeaders(await headers());
}

/** For route handlers. */
export function requestMetaFrom(request: Request): RequestMeta {
  return requestMetaFromHeaders(request.headers);
}
