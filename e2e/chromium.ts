// How every e2e run launches Debian's Chromium (playwright.config.ts, and the specs that start a browser of their
// own): never a downloaded browser, and deaf to the host's interface changes (e2e/quiet-netlink.c).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';

import type { LaunchOptions } from '@playwright/test';

const SOURCE = path.join(__dirname, 'quiet-netlink.c');
const CACHE = path.join(__dirname, '..', 'node_modules', '.cache', 'slipway');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * The preload library built from quiet-netlink.c, compiled once per content (the file name carries its hash, and a
 * build lands by rename, so the runner and its workers never load half a file).
 */
export function quietNetlinkLibrary(): string {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const library = path.join(CACHE, `quiet-netlink-${hash}.so`);
  if (!existsSync(library)) {
    mkdirSync(CACHE, { recursive: true });
    const partial = `${library}.${process.pid}.tmp`;
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', partial, SOURCE, '-ldl'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    renameSync(partial, library);
  }
  return library;
}

/** Launch options for Chromium; `quiet: false` is the browser as it ships, for the spec that proves the difference. */
export function chromiumLaunchOptions({ quiet = true } = {}): LaunchOptions {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && key !== 'LD_PRELOAD') env[key] = value;
  if (quiet) env.LD_PRELOAD = quietNetlinkLibrary();
  return { executablePath: process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, env };
}
