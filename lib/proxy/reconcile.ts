// One reconciliation of the edge proxy: the database is the truth. Under an advisory lock (one reconciler at a time
// across processes) it reads the snapshot as the system, renders the whole config (config.ts), compares it with
// what Caddy runs, loads it when they differ, and records a proxy_syncs row; the domains the load carried get
// routed_at. Results: unchanged (Caddy already runs ours), loaded (the database changed), repaired (Caddy ran
// something we never loaded: someone edited it, or it restarted empty), rejected (Caddy refused ours: its previous
// config keeps running, the error is recorded), unreachable.
import type pg from 'pg';

import { asSystemPg } from '@/lib/db/context';
import { decryptStored } from '@/lib/secrets/key-ring';
import { serviceName } from '@/lib/swarm/names';

import { getConfig, loadConfig, ProxyRejectedError, type AdminAddress } from './admin';
import {
  configHash,
  renderProxyConfig,
  type ProxyCertificate,
  type ProxyRoute,
  type ProxySettings,
  type Upstream,
} from './config';

export type SyncResult = 'loaded' | 'unchanged' | 'repaired' | 'rejected' | 'unreachable';

export type ProxyTarget = {
  /** Where we reach Caddy's admin API (a socket path on this host, or http://127.0.0.1:<port>). */
  admin: AdminAddress;
  /** The admin socket path as Caddy itself sees it (inside its container in swarm mode). */
  adminListen: string;
  httpPort: number;
  httpsPort: number;
  /** The ports Caddy binds when they are not the public ones (swarm mode: 80 and 443 inside its container). */
  listenHttpPort?: number;
  listenHttpsPort?: number;
  /** host:port Caddy reaches the panel at (the panel's own domain). */
  panelUpstream: string;
  /** How Caddy reaches an application: Swarm task DNS (default), or a host port in host mode. */
  upstreamFor?: (app: { serviceName: string; port: number }) => Upstream;
};

export type SyncRecord = {
  id: string;
  result: SyncResult;
  routeCount: number;
  configHash: string | null;
  error: string | null;
};

/** AAD of certificates.private_key ciphertext (lib/secrets encryptStored). */
export const CERTIFICATE_KEY_AAD = 'certificates.private_key';
/** Advisory lock key beside Prisma Migrate's (72707369) and maintenance's (72707370). */
export const PROXY_LOCK = 72707371;
/** proxy_syncs rows kept. */
export const SYNC_HISTORY = 500;

type DomainRow = {
  id: string;
  domain: string;
  path_prefix: string;
  tls_enabled: boolean;
  container_port: number | null;
  target_type: string;
  redirect_to_id: string | null;
  app_id: string | null;
  app_name: string | null;
  project_id: string;
  docker_config: { ports?: { target?: number }[] } | null;
  serving: boolean;
};

type Snapshot = {
  routes: ProxyRoute[];
  certificates: ProxyCertificate[];
  settings: ProxySettings;
  projectIds: string[];
};

async function readSnapshot(client: pg.ClientBase, target: ProxyTarget): Promise<Snapshot> {
  // An application is served only while a deployment of it succeeded (or rolled back to a running version) and it
  // is neither deleted nor stopped: the proxy never routes to a service that is not there.
  const { rows } = await client.query<DomainRow>(`
    SELECT d.id, d.domain, d.path_prefix, d.tls_enabled, d.container_port, d.target_type, d.redirect_to_id,
           d.project_id, a.id AS app_id, a.name AS app_name, a.docker_config,
           (a.id IS NOT NULL AND a.status <> 'stopped' AND EXISTS (
              SELECT 1 FROM deployments x WHERE x.application_id = a.id AND x.status IN ('success', 'rolled_back')
           )) AS serving
      FROM domains d
      LEFT JOIN applications a ON d.target_type = 'application' AND a.id = d.target_id AND a.deleted_at IS NULL`);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const upstreamFor = target.upstreamFor ?? ((app) => ({ kind: 'tasks', service: app.serviceName, port: app.port }));
  const routes: ProxyRoute[] = [];
  const projectIds = new Set<string>();
  for (const row of rows) {
    const base = { id: row.id, host: row.domain, pathPrefix: row.path_prefix || '/', tlsEnabled: row.tls_enabled };
    if (row.redirect_to_id) {
      const to = byId.get(row.redirect_to_id);
      if (to) routes.push({ ...base, redirectTo: { host: to.domain, tls: to.tls_enabled } });
      continue;
    }
    if (!row.serving || !row.app_id || !row.app_name) continue;
    // The port: the domain's own, else the application's first docker_config port target, else 80.
    const port = row.container_port ?? row.docker_config?.ports?.[0]?.target ?? 80;
    routes.push({
      ...base,
      upstream: upstreamFor({ serviceName: serviceName({ id: row.app_id, name: row.app_name }), port }),
    });
    projectIds.add(row.project_id);
  }

  const { rows: certRows } = await client.query<{ domain_id: string; certificate: string; private_key: string }>(`
    SELECT DISTINCT ON (c.domain_id) c.domain_id, c.certificate, c.private_key
      FROM certificates c
     WHERE c.source = 'custom' AND c.expires_at > now()
     ORDER BY c.domain_id, c.expires_at DESC`);
  const routed = new Set(routes.map((route) => route.id));
  const certificates: ProxyCertificate[] = [];
  for (const row of certRows) {
    if (!routed.has(row.domain_id)) continue;
    // Decrypted only here, on its way into Caddy's config over the local admin socket.
    certificates.push({
      domainId: row.domain_id,
      certificate: row.certificate,
      privateKey: await decryptStored(row.private_key, CERTIFICATE_KEY_AAD),
    });
  }

  const { rows: settingRows } = await client.query<{
    acme_email: string;
    acme_ca: ProxySettings['acmeCa'];
    acme_directory_url: string;
    panel_domain: string;
  }>('SELECT acme_email, acme_ca, acme_directory_url, panel_domain FROM panel_settings WHERE id');
  const setting = settingRows[0];
  return {
    routes,
    certificates,
    settings: {
      acmeEmail: setting?.acme_email ?? '',
      acmeCa: setting?.acme_ca ?? 'letsencrypt',
      acmeDirectoryUrl: setting?.acme_directory_url ?? '',
      panelDomain: setting?.panel_domain ?? '',
      panelUpstream: target.panelUpstream,
    },
    projectIds: [...projectIds].sort(),
  };
}

async function record(
  client: pg.ClientBase,
  trigger: string,
  startedAt: Date,
  outcome: { result: SyncResult; routeCount: number; hash: string | null; error: string | null },
  routedIds: string[],
): Promise<SyncRecord> {
  const { rows } = await client.query<{ id: string; finished_at: Date }>(
    `INSERT INTO proxy_syncs (trigger, result, route_count, config_hash, error, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) RETURNING id::text, finished_at`,
    [
      trigger.slice(0, 50),
      outcome.result,
      outcome.routeCount,
      outcome.hash,
      outcome.error?.slice(0, 4000) ?? null,
      startedAt,
    ],
  );
  const row = rows[0]!;
  if (routedIds.length)
    await client.query('UPDATE domains SET routed_at = $2 WHERE id = ANY($1::uuid[])', [routedIds, row.finished_at]);
  await client.query(
    `DELETE FROM proxy_syncs WHERE id <= (SELECT id FROM proxy_syncs ORDER BY id DESC OFFSET $1 LIMIT 1)`,
    [SYNC_HISTORY],
  );
  return {
    id: row.id,
    result: outcome.result,
    routeCount: outcome.routeCount,
    configHash: outcome.hash,
    error: outcome.error,
  };
}

/**
 * One reconciliation (see the top of this file). Never throws for Caddy's troubles (they are the recorded
 * result); throws only when the database itself fails. `trigger` says what asked (proxy_syncs.trigger).
 */
export async function reconcileProxy(
  trigger: string,
  {
    pool,
    target,
    ensureNetworks,
  }: { pool: pg.Pool; target: ProxyTarget; ensureNetworks?: (projectIds: string[]) => Promise<void> },
): Promise<SyncRecord> {
  return asSystemPg(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PROXY_LOCK]);
    const startedAt = new Date();
    const snapshot = await readSnapshot(client, target);
    let rendered;
    try {
      rendered = renderProxyConfig({
        routes: snapshot.routes,
        certificates: snapshot.certificates,
        settings: snapshot.settings,
        adminSocket: target.adminListen,
        httpPort: target.httpPort,
        httpsPort: target.httpsPort,
        listenHttpPort: target.listenHttpPort,
        listenHttpsPort: target.listenHttpsPort,
      });
    } catch (error) {
      // Something unsafe reached the renderer: nothing is loaded, the last good config keeps running.
      return record(
        client,
        trigger,
        startedAt,
        { result: 'rejected', routeCount: 0, hash: null, error: (error as Error).message },
        [],
      );
    }
    const outcome = { routeCount: rendered.routeCount, hash: rendered.hash };
    try {
      if (ensureNetworks) await ensureNetworks(snapshot.projectIds);
      const current = await getConfig(target.admin);
      const currentHash = current === null ? null : configHash(current);
      if (currentHash === rendered.hash)
        return record(client, trigger, startedAt, { ...outcome, result: 'unchanged', error: null }, rendered.routedIds);
      const { rows } = await client.query<{ config_hash: string | null }>(
        `SELECT config_hash FROM proxy_syncs WHERE result IN ('loaded', 'repaired', 'unchanged')
          ORDER BY id DESC LIMIT 1`,
      );
      const lastLoaded = rows[0]?.config_hash ?? null;
      // Caddy runs something else than what we last loaded: drift (an edit, or a restart with no config).
      const drifted = lastLoaded !== null && currentHash !== lastLoaded;
      await loadConfig(target.admin, rendered.config);
      return record(
        client,
        trigger,
        startedAt,
        { ...outcome, result: drifted ? 'repaired' : 'loaded', error: null },
        rendered.routedIds,
      );
    } catch (error) {
      const result: SyncResult = error instanceof ProxyRejectedError ? 'rejected' : 'unreachable';
      return record(client, trigger, startedAt, { ...outcome, result, error: (error as Error).message }, []);
    }
  });
}
