// The production server (`npm start`, the e2e tests): Next.js behind a Node HTTP server that owns the socket, so
// the client IP comes from the connection, or from X-Forwarded-For only when the connection is from a proxy listed
// in SLIPWAY_TRUSTED_PROXIES. `next start` cannot do this: Next.js keeps a client-sent X-Forwarded-For.
//
// It reads its own few variables because it runs apart from the bundled app; SLIPWAY_TRUSTED_PROXIES goes through the
// same parser as in lib/env.ts, which checks the rest of the configuration when instrumentation.ts starts the panel.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

import {
  applyClientIp,
  createClientIpListener,
  currentTrustedProxies,
  markClientIpServer,
  parseTrustedProxies,
  setTrustedProxies,
} from '../lib/http/client-ip-core.mjs';
import { ignoreGoneClients, quietGoneClients, watchClientErrors } from '../lib/server/client-errors.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} message
 * @returns {never}
 */
function refuse(message) {
  console.error(`[slipway] cannot start: ${message}`);
  process.exit(1);
}

/** @returns {{ hostname: string; port: number; trustedProxies: import('../lib/http/client-ip-core.mjs').TrustedProxies }} */
function readConfig() {
  const hostname = process.env.HOSTNAME_BIND?.trim() || '0.0.0.0';
  const portText = process.env.PORT?.trim() || '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    refuse(`PORT: must be a port number 1-65535 (got "${portText.slice(0, 20)}").`);
  }
  try {
    return { hostname, port, trustedProxies: parseTrustedProxies(process.env.SLIPWAY_TRUSTED_PROXIES) };
  } catch (error) {
    return refuse(`SLIPWAY_TRUSTED_PROXIES: ${/** @type {Error} */ (error).message}`);
  }
}

/**
 * The configuration `next build` resolved and wrote into .next. Given to Next.js so it does not load next.config.ts
 * again: a TypeScript config is compiled with SWC at start, which keeps its 28 MB native module resident for the
 * life of the process (idle memory budget, bench/idle-rss.ts).
 */
async function builtConfig() {
  const file = path.join(root, '.next', 'required-server-files.json');
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return refuse('no build found: run `npm run build` first (scripts/start.sh does it when needed).');
  }
  return JSON.parse(text).config;
}

// A panel sits idle most of the time. V8 keeps the heap it grew while serving (and glibc keeps freed pages), so a
// few seconds after the last request we run one full, compacting collection: the memory goes back to the system
// until the next burst of work. It runs once per idle period and never while requests are in flight.
const IDLE_GC_MS = 5_000;
function compactWhenIdle(server) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  let active = 0;
  /** @type {NodeJS.Timeout | null} */
  let timer = null;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (active === 0) gc();
    }, IDLE_GC_MS);
    timer.unref();
  };
  server.on('request', (_req, res) => {
    active += 1;
    if (timer) clearTimeout(timer);
    res.once('close', () => {
      active -= 1;
      if (active === 0) arm();
    });
  });
  arm();
}

async function main() {
  const { hostname, port, trustedProxies } = readConfig();
  // What `next start` does; it must happen before Next.js and React are loaded.
  process.env.NODE_ENV ||= 'production';
  // Tells lib/http/request-meta.ts (same process, same globalThis) that the client IP header is ours.
  markClientIpServer();
  // Read on every request: the panel replaces them with an administrator's setting unless this variable overrides it
  // (lib/settings/trusted-proxies.ts, D66).
  setTrustedProxies(trustedProxies);
  // A client that hangs up is not an error: Next.js's logs of it are dropped (lib/server/client-errors.mjs).
  quietGoneClients();
  // What Next.js's own standalone server does: hand it the configuration the build resolved, so it does not load
  // next.config.ts again (see builtConfig).
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(await builtConfig());
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: root, hostname, port });
  await app.prepare();

  const server = http.createServer(
    createClientIpListener(ignoreGoneClients(app.getRequestHandler()), currentTrustedProxies),
  );
  watchClientErrors(server);
  compactWhenIdle(server);
  // Next.js adds its own upgrade listener after the first request (in production it only proxies rewrites to other
  // hosts). This one runs first, so an upgrade request carries the same headers; until then, nobody answers it.
  server.on('upgrade', (req, socket) => {
    applyClientIp(req, currentTrustedProxies());
    if (server.listenerCount('upgrade') === 1) socket.destroy();
  });
  server.once('error', (error) => refuse(`cannot listen on ${hostname}:${port}: ${error.message}`));
  server.listen(port, hostname, () => {
    const proxies = trustedProxies.entries.length
      ? `trusting X-Forwarded-For from ${trustedProxies.entries.join(', ')}`
      : 'no trusted proxies';
    console.log(`[slipway] listening on ${hostname}:${port} (${proxies})`);
  });

  /** @type {number | null} */
  let stoppingSince = null;
  /** @param {NodeJS.Signals} signal */
  const stop = (signal) => {
    if (stoppingSince !== null) {
      // Ctrl+C in `npm start` reaches us twice at once (from the terminal and forwarded by npm): that is one request
      // to stop. A signal a few seconds later means the person wants out now.
      if (Date.now() - stoppingSince < 3_000) return;
      console.error(`[slipway] ${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    // Stop taking requests and let the ones in flight finish. The panel's own handlers (lib/server/startup.ts) stop
    // the database and exit; nothing here calls process.exit before they could.
    server.close(() => {
      app.close().catch((error) => console.error(`[slipway] closing Next.js failed: ${error.message}`));
    });
    server.closeIdleConnections();
    // Keep-alive sockets of a slow client must not hold the process open for ever.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => refuse(error instanceof Error ? (error.stack ?? error.message) : String(error)));
