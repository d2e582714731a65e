// Whether a request comes from another site, by the rule Next.js applies to server actions (its CSRF check): the
// Origin header's host must be the request's host (X-Forwarded-Host first, which scripts/server.mjs keeps only from a
// trusted proxy, then Host), or one of ALLOWED_ORIGINS. A request without Origin passes, as in Next.js: browsers send
// it on every cross-site fetch, form post and EventSource, and a request without one carries no ambient credentials
// a site could borrow. Used by proxy.ts (server actions) and authenticated() (cookie-authenticated route handlers),
// so a request is cross-site by one rule everywhere. No imports: next.config.ts loads this file.

/**
 * Hosts besides the panel's own whose pages may post to it (Next.js's `serverActions.allowedOrigins`, which
 * next.config.ts sets from here); patterns as Next.js reads them (`*.example.com`). None: the panel posts only to
 * itself.
 */
export const ALLOWED_ORIGINS: readonly string[] = [];

/** The refusal's message, for server actions (plain text) and route handlers (the error body) alike. */
export const CROSS_ORIGIN_REFUSED =
  'Refused: this request came from another site. Use the panel at its own address; API clients authenticate with an API token.';

type HeaderSource = { get(name: string): string | null };

/** True when the request carries an Origin that is neither its own host nor an allowed one. */
export function isCrossOrigin(
  headers: HeaderSource,
  { fallbackHost, allowed = ALLOWED_ORIGINS }: { fallbackHost?: string; allowed?: readonly string[] } = {},
): boolean {
  const origin = headers.get('origin');
  if (origin === null) return false;
  const originHost = originHostOf(origin);
  if (originHost === null) return true;
  const host = headers.get('x-forwarded-host')?.split(',')[0]?.trim() || headers.get('host') || fallbackHost;
  if (host && originHost === host.toLowerCase()) return false;
  return !allowed.some((pattern) => matchesPattern(originHost, pattern.toLowerCase()));
}

function originHostOf(origin: string): string | null {
  // An opaque origin ("null": a sandboxed frame, a file, a redirect chain across sites) is nobody's host.
  if (origin === 'null') return null;
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Next.js's pattern rule: `*` is one label, a trailing `**` any number of them, and never a whole domain. */
function matchesPattern(host: string, pattern: string): boolean {
  const labels = host.split('.');
  const parts = pattern.split('.');
  if (parts.length === 1 && (parts[0] === '*' || parts[0] === '**')) return false;
  if (labels.length < parts.length) return false;
  while (parts.length) {
    const part = parts.pop()!;
    const label = labels.pop();
    if (part === '') return false;
    if (part === '**') return parts.length === 0 && label !== undefined;
    if (part === '*') {
      if (!label) return false;
    } else if (label !== part) return false;
  }
  return labels.length === 0;
}
