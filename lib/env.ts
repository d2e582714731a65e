// The only reader of process.env. Every setting is parsed here with zod; a bad value stops the panel at start with
// a message naming the variable and saying what is expected.
import path from 'node:path';

import { z } from 'zod';

import { parseTrustedProxies } from '@/lib/http/client-ip';

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'postgresql:' || url.protocol === 'postgres:') &&
        url.hostname !== '' &&
        url.pathname.length > 1
      );
    } catch {
      return false;
    }
  }, 'must be a PostgreSQL URL like postgresql://user:password@host:5432/database');

const port = z.coerce
  .number()
  .int()
  .min(1, 'must be a port number 1-65535')
  .max(65535, 'must be a port number 1-65535');

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

// Read by scripts/server.mjs itself (same parser); parsed here too so the panel's configuration says it all.
const trustedProxies = z
  .string()
  .default('')
  .transform((text, ctx) => {
    try {
      return parseTrustedProxies(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  SLIPWAY_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('data')),
  SLIPWAY_SECRET_KEY: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  SLIPWAY_EMBEDDED_PG_PORT: z.preprocess(emptyAsUndefined, port.optional()),
  SLIPWAY_DB_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100).default(10)),
  SLIPWAY_MIGRATIONS_DIR: z.preprocess(emptyAsUndefined, z.string().default('prisma/migrations')),
  SLIPWAY_MAINTENANCE: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  PORT: z.preprocess(emptyAsUndefined, port.default(3000)),
  SLIPWAY_TRUSTED_PROXIES: trustedProxies,
  /** The panel's public URL (sign-in redirects, secure cookies when https). Default http://localhost:PORT. */
  SLIPWAY_URL: z.preprocess(
    emptyAsUndefined,
    z
      .url({
        protocol: /^https?$/,
        message: 'must be the http(s) URL people use to reach the panel, e.g. https://panel.example.com',
      })
      .optional(),
  ),
  /** Secret signing session cookies; generated into the data directory when unset. */
  NEXTAUTH_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  /** Password for the demo users of `npm run db:seed` (random and printed once when unset). */
  SLIPWAY_DEMO_PASSWORD: z.preprocess(
    emptyAsUndefined,
    z.string().min(12, 'must be at least 12 characters').optional(),
  ),
  /** Run the deployment worker inside the panel (on), or leave it to `npm run worker` processes (off). */
  SLIPWAY_WORKER: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  /** Images of this many latest successful deployments of each application are kept for rollbacks without a rebuild. */
  SLIPWAY_KEEP_IMAGES: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a whole number 1-100' })
      .int('must be a whole number 1-100')
      .min(1, 'must be at least 1 (the running image is always kept)')
      .max(100, 'must be at most 100')
      .default(5),
  ),
  /** The Docker engine (a Swarm manager): unix:///path/to.sock or tcp://host:port. Default /var/run/docker.sock. */
  DOCKER_HOST: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(unix|tcp):\/\/\S+$/, 'must be unix:///path/to/docker.sock or tcp://host:port')
      .optional(),
  ),
  /** The edge proxy (lib/proxy, D81): a Caddy Swarm service (swarm), a Caddy on this host (host), or none (off). */
  SLIPWAY_PROXY: z.preprocess(emptyAsUndefined, z.enum(['swarm', 'host', 'off']).default('off')),
  /** Caddy's admin API: a unix socket path or http://127.0.0.1:<port>; default <data dir>/proxy/admin.sock. */
  SLIPWAY_PROXY_ADMIN: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** The proxy service's image (swarm mode). */
  SLIPWAY_PROXY_IMAGE: z.preprocess(emptyAsUndefined, z.string().default('caddy:2')),
  SLIPWAY_PROXY_HTTP_PORT: z.preprocess(emptyAsUndefined, port.default(80)),
  SLIPWAY_PROXY_HTTPS_PORT: z.preprocess(emptyAsUndefined, port.default(443)),
  /** host:port the proxy reaches the panel at; default the docker_gwbridge gateway (swarm) or 127.0.0.1, and PORT. */
  SLIPWAY_PANEL_UPSTREAM: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** This server's public address(es), comma-separated, for the domain DNS check when it sits behind NAT (D79). */
  SLIPWAY_PUBLIC_IP: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[0-9A-Fa-f.:, ]+$/, 'must be IP addresses separated by commas')
      .optional(),
  ),
  GITHUB_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
  GITHUB_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
});

export type Env = Omit<z.infer<typeof envSchema>, 'SLIPWAY_DATA_DIR' | 'SLIPWAY_MIGRATIONS_DIR'> & {
  /** Absolute path of the data directory (embedded database, generated keys). */
  SLIPWAY_DATA_DIR: string;
  SLIPWAY_MIGRATIONS_DIR: string;
};

export class EnvError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n') +
        '\nFix these environment variables and start Slipway again.',
    );
    this.name = 'EnvError';
  }
}

export function parseEnv(source: Record<string, string | undefined>, cwd = process.cwd()): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  return {
    ...result.data,
    SLIPWAY_DATA_DIR: path.resolve(cwd, result.data.SLIPWAY_DATA_DIR),
    SLIPWAY_MIGRATIONS_DIR: path.resolve(cwd, result.data.SLIPWAY_MIGRATIONS_DIR),
  };
}

let cached: Env | undefined;

/** The parsed configuration of this process (parsed once, on first use). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
