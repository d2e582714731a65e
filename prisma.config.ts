import { defineConfig } from 'prisma/config';

import { cliAdapterFactory } from './lib/db/cli-adapter';

// The CLI runs on the JS schema engine through the pg adapter (no engine binary can be downloaded here).
// DATABASE_URL must point at the database to migrate; the panel's own start-up migrates itself without the CLI.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  experimental: { adapter: true },
  engine: 'js',
  // The adapter must load even without DATABASE_URL (`prisma generate` needs no database, but falls back to
  // downloading an engine binary if the adapter fails); commands that do connect then fail naming the variable.
  adapter: async () =>
    cliAdapterFactory(
      process.env.DATABASE_URL ?? 'postgresql://DATABASE_URL-is-not-set@127.0.0.1:1/DATABASE_URL-is-not-set',
    ),
});
