// Playwright global setup: the built panel (run `npm run build` first) on a free port, against a fresh database
// that the panel migrates itself at start, with the demo data loaded. Sets E2E_BASE_URL (and E2E_DATABASE_URL for
// specs that compare the page with the database) before the workers start, and returns the teardown.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import globalTeardown, { STATE_ENV, testingDatabase, type E2eState } from './global-teardown';
import { panelEnv, startPanel, waitForHealth } from './panel-process';
import { freePort } from './support';

const ROOT = path.resolve(__dirname, '..');
const START_TIMEOUT_MS = 90_000;

export default async function globalSetup() {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('The e2e tests run the built panel: run `npm run build` first.');
  }
  const database = `slipway_e2e_${randomBytes(6).toString('hex')}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-'));
  const stateFile = path.join(dataDir, '..', `${path.basename(dataDir)}.json`);
  const state: E2eState = { database, dataDir };
  const saveState = () => writeFile(stateFile, JSON.stringify(state));
  await saveState();
  process.env[STATE_ENV] = stateFile;

  try {
    const { createEmptyDatabase, roleUrl } = testingDatabase();
    await createEmptyDatabase(database);
    // The demo users get a password made for this run, so specs can sign in as them.
    const demoPassword = randomBytes(18).toString('base64url');
    const env = {
      ...process.env,
      DATABASE_URL: roleUrl(database),
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_DEMO_PASSWORD: demoPassword,
      // The edge proxy runs as the slipway-proxy Swarm service from the locally built Caddy image
      // (scripts/make-caddy-image.sh), on free host ports; e2e/proxy.spec.ts reaches it there.
      SLIPWAY_PROXY: 'swarm',
      SLIPWAY_PROXY_IMAGE: process.env.E2E_PROXY_IMAGE ?? 'slipway/caddy:test',
      SLIPWAY_PROXY_HTTP_PORT: String(await freePort()),
      SLIPWAY_PROXY_HTTPS_PORT: String(await freePort()),
    };
    const panel = await startPanel({
      env: (port) => panelEnv(port, env),
      // Its own process group, so the teardown can stop the panel and anything it forks in one signal.
      detached: true,
      logFile: path.join(dataDir, 'panel.log'),
      timeoutMs: START_TIMEOUT_MS,
    });
    const { baseUrl } = panel;
    state.serverPid = panel.child.pid;
    await saveState();
    await waitForHealth(panel, START_TIMEOUT_MS);

    await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), ['prisma/seed.ts'], { cwd: ROOT, env }).catch(
      (error: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(
          `Seeding the e2e database failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
        );
      },
    );

    process.env.E2E_BASE_URL = baseUrl;
    process.env.E2E_DATABASE_URL = env.DATABASE_URL;
    process.env.E2E_DEMO_PASSWORD = demoPassword;
    process.env.E2E_PROXY_HTTP_PORT = env.SLIPWAY_PROXY_HTTP_PORT;
    process.env.E2E_PROXY_HTTPS_PORT = env.SLIPWAY_PROXY_HTTPS_PORT;
  } catch (error) {
    await globalTeardown();
    throw error;
  }
  return globalTeardown;
}
