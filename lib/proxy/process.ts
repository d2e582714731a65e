// The edge proxy in the process that runs the deployment worker (SLIPWAY_PROXY swarm or host, D81): in swarm mode the
// slipway-proxy service is ensured first (lib/proxy/service.ts) and joins the routed projects' networks on each pass;
// then the reconciler loop (runner.ts). After every pass that left our config running, the certificates Caddy
// issued are recorded from its storage (swarm mode: bind-mounted under the data dir, D82), and once an hour the
// expiry watcher runs.
import path from 'node:path';

import type Docker from 'dockerode';

import { collectProxyCertificates } from '@/lib/certificates/collect';
import { watchCertificateExpiry } from '@/lib/certificates/watch';
import type { Database } from '@/lib/db/connection';
import type { Env } from '@/lib/env';

import type { ProxyTarget } from './reconcile';
import { startProxyRunner, type ProxyRunner } from './runner';
import { ensureProxyNetworks, ensureProxyService, proxyPaths } from './service';

export const WATCH_INTERVAL_MS = 60 * 60 * 1000;

export type EdgeProxy = { runner: ProxyRunner; storageRoot: string | null; stop: () => Promise<void> };

export type EdgeProxyOptions = {
  /** Swarm mode's Docker client (lib/deploy/docker getDocker). */
  docker?: () => Docker;
  log?: (line: string) => void;
  intervalMs?: number;
  watchIntervalMs?: number;
};

/** The socket path in an admin address (`unix:/path` or `/path`); null for an http:// address. */
function socketOf(admin: string): string | null {
  if (admin.startsWith('unix:')) return admin.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
  return admin.startsWith('/') ? admin : null;
}

async function gatewayOf(docker: Docker): Promise<string> {
  const info = (await docker.getNetwork('docker_gwbridge').inspect()) as { IPAM?: { Config?: { Gateway?: string }[] } };
  return info.IPAM?.Config?.find((entry) => entry.Gateway)?.Gateway ?? '172.18.0.1';
}

/** Starts the proxy's work for this process; null when SLIPWAY_PROXY is off. */
export async function startEdgeProxy(
  db: Database,
  config: Env,
  options: EdgeProxyOptions = {},
): Promise<EdgeProxy | null> {
  if (config.SLIPWAY_PROXY === 'off') return null;
  const log = options.log ?? ((line: string) => console.error(`[slipway proxy] ${line}`));
  const dir = path.join(config.SLIPWAY_DATA_DIR, 'proxy');
  const ports = { httpPort: config.SLIPWAY_PROXY_HTTP_PORT, httpsPort: config.SLIPWAY_PROXY_HTTPS_PORT };
  let target: ProxyTarget;
  let ensureNetworks: ((projectIds: string[]) => Promise<void>) | undefined;
  let storageRoot: string | null = null;
  if (config.SLIPWAY_PROXY === 'swarm') {
    if (!options.docker) throw new Error('SLIPWAY_PROXY=swarm needs the Docker client.');
    const docker = options.docker();
    const service = await ensureProxyService(docker, { image: config.SLIPWAY_PROXY_IMAGE, dir, ...ports });
    log(`proxy service ${service.action}`);
    target = {
      admin: service.adminSocket,
      adminListen: service.adminListen,
      ...ports,
      // The service publishes the container's 80 and 443 on the configured host ports (lib/proxy/service.ts).
      listenHttpPort: 80,
      listenHttpsPort: 443,
      panelUpstream: config.SLIPWAY_PANEL_UPSTREAM ?? `${await gatewayOf(docker)}:${config.PORT}`,
    };
    ensureNetworks = async (projectIds) => {
      await ensureProxyNetworks(docker, projectIds, { adminSocket: service.adminSocket });
    };
    storageRoot = service.storageRoot;
  } else {
    const admin = config.SLIPWAY_PROXY_ADMIN ?? proxyPaths(dir).adminSocket;
    const socket = socketOf(admin);
    if (!socket)
      throw new Error(
        `SLIPWAY_PROXY_ADMIN “${admin}”: the proxy's config keeps Caddy's admin API on a unix socket; give its path.`,
      );
    target = {
      admin,
      adminListen: socket,
      ...ports,
      panelUpstream: config.SLIPWAY_PANEL_UPSTREAM ?? `127.0.0.1:${config.PORT}`,
    };
  }

  const collect = storageRoot;
  const runner = await startProxyRunner({
    pool: db.pool,
    target,
    ensureNetworks,
    log,
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
    onSynced: async () => {
      if (!collect) return;
      const result = await collectProxyCertificates(db.prisma, { storageRoot: collect });
      if (result.recorded) log(`recorded ${result.recorded} new certificate(s)`);
    },
  });

  let watching: Promise<unknown> = Promise.resolve();
  const watch = () => {
    watching = watchCertificateExpiry(db.prisma).catch((error: unknown) =>
      log(`certificate expiry watch failed: ${(error as Error).message}`),
    );
  };
  watch();
  const timer = setInterval(watch, options.watchIntervalMs ?? WATCH_INTERVAL_MS);
  timer.unref();

  return {
    runner,
    storageRoot,
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await watching;
    },
  };
}
