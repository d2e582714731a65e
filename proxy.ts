// The edge in front of every page (not route handlers, static files or prefetches: see `config`). It refuses a
// server action from another site or over the size cap with its own status (lib/http/server-actions.ts), and gives
// each page a Content-Security-Policy with a fresh nonce: Next.js reads the nonce back from the request's CSP header
// and puts it on its scripts (D59). The other security headers come from next.config.ts, for every path.
import { NextResponse, type NextRequest } from 'next/server';

import { contentSecurityPolicy, newNonce } from '@/lib/http/security-headers';
import { refuseServerAction } from '@/lib/http/server-actions';

export function proxy(request: NextRequest) {
  const refused = refuseServerAction(request);
  if (refused) return refused;

  const nonce = newNonce();
  const policy = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === 'development' });
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  // For a page that renders a <script> of its own (the root layout's theme script).
  headers.set('x-nonce', nonce);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Everything but route handlers (authenticated() checks their origin), build files and public/ files.
      source: '/((?!api/|_next/static/|_next/image|favicon.ico|icon.svg|apple-touch-icon.png|robots.txt).*)',
      // A prefetch is an RSC payload the router keeps for later: no document, no scripts to allow.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
