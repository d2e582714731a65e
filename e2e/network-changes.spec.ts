// The browser the suite drives ignores the host's interface changes (e2e/chromium.ts, e2e/quiet-netlink.c). Docker
// adds an interface for every container it starts, and Chromium as it ships answers one by failing its queued
// requests with net::ERR_NETWORK_CHANGED, even to 127.0.0.1: a page.goto in one spec failed because a deploy in
// another worker started a task. Here both browsers queue a navigation behind six held requests (Chromium's limit per
// host), a container starts on a bridge network this test makes, the stock browser's navigation fails, and the suite's
// browser loads its page once the held requests finish.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { chromium, expect, test, type Page } from '@playwright/test';
import Docker from 'dockerode';

import { BASE_IMAGE } from '../lib/swarm/test-support';
import { chromiumLaunchOptions } from './chromium';
import { uniqueStamp } from './support';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const PER_HOST = 6;

interface HeldServer {
  origin: string;
  /** Resolves once `count` requests for /hold?who=<who> are being held. */
  held(who: string, count: number): Promise<void>;
  release(who: string): void;
  close(): Promise<void>;
}

async function startHeldServer(): Promise<HeldServer> {
  const holding = new Map<string, http.ServerResponse[]>();
  const waiters: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/hold') {
      const who = url.searchParams.get('who') ?? '';
      holding.set(who, [...(holding.get(who) ?? []), response]);
      for (const wake of waiters.splice(0)) wake();
      return;
    }
    response.setHeader('content-type', 'text/html');
    response.end(`<title>${url.pathname}</title><p>${url.pathname}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async held(who, count) {
      while ((holding.get(who)?.length ?? 0) < count) await new Promise<void>((wake) => waiters.push(wake));
    },
    release(who) {
      for (const response of holding.get(who) ?? []) response.end('released');
      holding.delete(who);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Fills the page's connections to the server with held requests, then starts a navigation that has to queue. The
 * navigation comes back inside an object: an async function returning the promise itself would wait for it.
 */
async function queueNavigation(page: Page, server: HeldServer, who: string) {
  await page.goto(`${server.origin}/start`);
  await page.evaluate(
    ({ who, count }) => {
      for (let i = 0; i < count; i++) void fetch(`/hold?who=${who}&i=${i}`).catch(() => undefined);
    },
    { who, count: PER_HOST },
  );
  await server.held(who, PER_HOST);
  const issued = page.waitForRequest((request) => request.url().endsWith('/next'));
  const navigation = page.goto(`${server.origin}/next`, { timeout: 0 }).then(
    (response) => ({ status: response?.status() ?? 0, error: null }),
    (error: Error) => ({ status: 0, error: error.message }),
  );
  await issued;
  return { navigation };
}

test('a container starting while a navigation waits does not fail it with ERR_NETWORK_CHANGED', async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startHeldServer();
  const stock = await chromium.launch(chromiumLaunchOptions({ quiet: false }));
  const name = `slipway-e2e-netchange-${uniqueStamp()}`;
  let network: Docker.Network | undefined;
  let container: Docker.Container | undefined;
  try {
    const stockPage = await stock.newPage();
    const { navigation: stockNavigation } = await queueNavigation(stockPage, server, 'stock');
    const { navigation: quietNavigation } = await queueNavigation(page, server, 'quiet');

    network = await docker.createNetwork({ Name: name, Driver: 'bridge' });
    container = await docker.createContainer({
      name,
      Image: BASE_IMAGE,
      Cmd: ['sleep', '600'],
      HostConfig: { NetworkMode: name, AutoRemove: false },
    });
    await container.start();

    // The stock browser hears the new interface and fails the queued navigation (about two seconds later).
    const stockResult = await stockNavigation;
    expect(stockResult.error).toContain('net::ERR_NETWORK_CHANGED');

    // The suite's browser heard nothing: its held requests and its navigation complete.
    server.release('quiet');
    expect(await quietNavigation).toEqual({ status: 200, error: null });
    await expect(page).toHaveTitle('/next');
    server.release('stock');
  } finally {
    await stock.close();
    await server.close();
    await container?.remove({ force: true });
    await network?.remove();
  }
});
