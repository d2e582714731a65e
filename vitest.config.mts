import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const exclude = ['e2e/**', '**/node_modules/**', '.next/**', 'data/**'];

// Integration files that drive the Docker engine (builds, Swarm services, the deployment rig) share one dockerd and
// its host ports: they run one at a time, after everything else (groupOrder 2; the others are 1, not 0, because
// Vitest moves order-0 projects with one worker to the end, which would change the order on a 2-core machine).
// Found by what they import, so a new one is never left out of the list.
const USES_DOCKER = /connectDocker|startPipelineRig|\/test-support'/;
const root = fileURLToPath(new URL('.', import.meta.url));
const dockerFiles = readdirSync(path.join(root, 'lib'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.int.test.ts'))
  .map((file) => `lib/${file}`)
  .filter((file) => USES_DOCKER.test(readFileSync(path.join(root, file), 'utf8')))
  .sort();

// The same number of workers whatever the machine: cores − 1 (Vitest's default) would be 1 on 2 cores and 15 on 16,
// and each integration file holds its own database clone, pg-boss and PostgreSQL connections.
const maxWorkers = Math.max(1, Math.min(availableParallelism() - 1, 4));

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    environment: 'node',
    maxWorkers,
    // A hung test or hook fails on its own; the CI script bounds the whole run (scripts/test-all.sh).
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        // Unit tests also run real programs (git, ssh-keygen, tar): room for a loaded machine.
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: [...exclude, ...dockerFiles],
          globalSetup: ['lib/testing/global-setup.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'docker',
          include: dockerFiles,
          exclude,
          globalSetup: ['lib/testing/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
