// The headers every answer carries (pages, route handlers, event streams, static files: next.config.ts sends them for
// every path) and the Content-Security-Policy of the HTML pages (proxy.ts, with a fresh nonce per request, which
// Next.js reads back from the request's CSP header and puts on its own scripts). No imports: next.config.ts and
// proxy.ts both load this file.

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // For browsers without CSP frame-ancestors; the CSP says the same.
  'x-frame-options': 'DENY',
  // The panel's URLs name projects and applications: other sites see none of them, not even the origin.
  'referrer-policy': 'same-origin',
  // The panel uses none of these; a script injected anyway cannot ask for them.
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
} as const;

/** A nonce for one response: 128 random bits, base64 (CSP's nonce-source alphabet). */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * The policy of an HTML page (D59). Scripts: only those carrying this response's nonce, and what they load
 * ('strict-dynamic': Next.js's chunks); styles: our CSS files and nonce'd `<style>` (style attributes written by
 * React on the client go through the CSSOM, which CSP does not govern). No `upgrade-insecure-requests`: a panel is
 * often first reached over plain HTTP on its port, and its own files would then fail to load.
 */
export function contentSecurityPolicy(nonce: string, { dev = false }: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    // React's development build evaluates server stacks with eval(); production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Development injects its CSS as <style> elements without a nonce.
    `style-src 'self' ${dev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
