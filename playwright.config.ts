import { defineConfig, devices } from '@playwright/test';

import { chromiumLaunchOptions } from './e2e/chromium';

// e2e/global-setup.ts starts the panel and sets E2E_BASE_URL; workers load this file after it ran.
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  // A flake is a defect to fix, never to retry away.
  retries: 0,
  workers: 2,
  reporter: 'list',
  // Sized for two workers on a loaded 2-core machine (docker builds, extra panels booting): about three times what a
  // test or an assertion takes there. Specs that deploy or boot a panel set a longer test timeout of their own.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // The whole run stops here, so a slow Docker fails CI instead of running it past its limit (a normal run: ~3 min).
  globalTimeout: 10 * 60_000,
  use: {
    baseURL: process.env.E2E_BASE_URL,
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        // Debian's chromium, deaf to Docker's interface changes (e2e/chromium.ts): no browser is ever downloaded.
        launchOptions: chromiumLaunchOptions(),
      },
    },
  ],
});
