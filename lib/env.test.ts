import { describe, expect, it } from 'vitest';

import { EnvError, parseEnv } from './env';

describe('parseEnv', () => {
  it('defaults to the embedded database in ./data', () => {
    const env = parseEnv({}, '/srv/slipway');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SLIPWAY_DATA_DIR).toBe('/srv/slipway/data');
    expect(env.SLIPWAY_MIGRATIONS_DIR).toBe('/srv/slipway/prisma/migrations');
    expect(env.PORT).toBe(3000);
    expect(env.SLIPWAY_KEEP_IMAGES).toBe(5);
  });

  it('reads how many images to keep for rollbacks', () => {
    expect(parseEnv({ SLIPWAY_KEEP_IMAGES: '12' }).SLIPWAY_KEEP_IMAGES).toBe(12);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(parseEnv({ DATABASE_URL: '  ' }).DATABASE_URL).toBeUndefined();
  });

  it('accepts postgres URLs and resolves a relative data dir', () => {
    const env = parseEnv(
      { DATABASE_URL: 'postgresql://slipway:pw@db:5432/slipway', SLIPWAY_DATA_DIR: 'var/slipway', PORT: '8080' },
      '/opt/app',
    );
    expect(env.DATABASE_URL).toBe('postgresql://slipway:pw@db:5432/slipway');
    expect(env.SLIPWAY_DATA_DIR).toBe('/opt/app/var/slipway');
    expect(env.PORT).toBe(8080);
  });

  it.each([
    ['DATABASE_URL', 'mysql://root@db/app'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'postgresql://db:5432'],
    ['PORT', '0'],
    ['PORT', '70000'],
    ['PORT', 'eighty'],
    ['SLIPWAY_EMBEDDED_PG_PORT', '-1'],
    ['SLIPWAY_DB_POOL_SIZE', '1000'],
    ['NODE_ENV', 'staging'],
    ['SLIPWAY_MAINTENANCE', 'maybe'],
    ['SLIPWAY_KEEP_IMAGES', '0'],
    ['SLIPWAY_KEEP_IMAGES', '2.5'],
    ['SLIPWAY_KEEP_IMAGES', 'all'],
  ])('refuses %s=%s with a message naming the variable', (variable, value) => {
    let error: unknown;
    try {
      parseEnv({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).issues.map((i) => i.variable)).toEqual([variable]);
    expect((error as Error).message).toContain(`${variable}:`);
  });

  it('reports every bad variable at once', () => {
    expect(() => parseEnv({ PORT: 'x', DATABASE_URL: 'ftp://x' })).toThrow(
      /PORT:[\s\S]*DATABASE_URL:|DATABASE_URL:[\s\S]*PORT:/,
    );
  });
});
