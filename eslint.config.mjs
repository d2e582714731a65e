import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import { defineConfig, globalIgnores } from 'eslint/config';

const engineMessage =
  'lib/swarm, lib/git, lib/crypto and the webhook parsers stay framework-free (no Next.js, React, Prisma, app/ or components/) ' +
  'so they run under Vitest, a worker or a CLI alike: take what you need as an argument instead.';

const browserMessage =
  'Components that may run in the browser import values from @/lib/validation/rules or a zod-free *-limits module ' +
  'only (a schema module ships zod, ~30 KB gzipped, to every page it is on); `import type` from any module is fine.';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    '.next/**',
    'node_modules/**',
    'data/**',
    'lib/generated/**',
    'test-results/**',
    'playwright-report/**',
    'next-env.d.ts',
  ]),
  {
    files: ['lib/swarm/**', 'lib/git/**', 'lib/crypto/**', 'lib/webhooks/{signature,events,body,headers}.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['next', 'react', 'react-dom', 'server-only', '@prisma/client'].map((name) => ({
            name,
            message: engineMessage,
          })),
          patterns: [
            {
              group: [
                'next/*',
                'react/*',
                'react-dom/*',
                '@prisma/client/*',
                '@/app',
                '@/app/*',
                '@/components',
                '@/components/*',
                '@/lib/generated',
                '@/lib/generated/*',
                '@/lib/db',
                '@/lib/db/*',
              ],
              message: engineMessage,
            },
            { regex: '^(\\.\\./)+(app|components|lib/db|lib/generated)(/|$)', message: engineMessage },
          ],
        },
      ],
    },
  },
  {
    files: ['components/**', 'app/**/_components/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', message: browserMessage, allowTypeImports: true }],
          patterns: [
            {
              regex:
                '^@/lib/(validation/(?!rules$|[a-z-]+-limits$)|projects/|applications/|env-vars/|volumes/|db|crypto|secrets|auth/(?!client$|permissions$))',
              message: browserMessage,
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
]);
