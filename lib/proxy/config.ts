// The whole Caddy JSON config, rendered from a snapshot of the database (domains, custom certificates, settings).
// Pure: no I/O, the same snapshot always gives the same object, so its hash says whether Caddy holds what we mean.
// Everything reaches Caddy as JSON values (never text pasted into a Caddyfile), and anything that could still mean
// something to Caddy (a placeholder brace, a glob star) or to a header (CR, LF, quotes) is refused here, whoever
// let it through: renderProxyConfig throws rather than render it.
//
// Upstreams (D80): Swarm DNS round-robin, `tasks.<service>` re-resolved every second by Caddy's dynamic `a`
// upstreams. Swarm adds a task to that name only once it is healthy and removes it before stopping it (the
// executor deactivates the service binding, waits the gossip delay, then sends SIGTERM), so a 1 s refresh drains;
// a dial error within try_duration retries another address. Works without IPVS (no VIPs here) and with it.
import { createHash } from 'node:crypto';

export type Upstream =
  /** A Swarm service's healthy tasks, by DNS (tasks.<service name>). */
  | { kind: 'tasks'; service: string; port: number }
  /** One fixed address, host:port (the panel itself, or a Caddy on the host driving published ports). */
  | { kind: 'static'; dial: string };

export type ProxyRoute = {
  /** domains.id, reported back as carried by the load. */
  id: string;
  /** Lowercase ASCII (punycode) host, `*.` allowed as the first label. */
  host: string;
  /** '/' for every path, else a prefix such as '/api' (matches /api and /api/…, not /apix; not stripped). */
  pathPrefix: string;
  tlsEnabled: boolean;
  /** Where requests go; ignored when redirectTo is set. */
  upstream?: Upstream;
  /** This name answers 308 to that host, path and query kept; `redirectTls` says https or http. */
  redirectTo?: { host: string; tls: boolean };
};

/** A custom (uploaded) certificate, its key already decrypted: they exist only in the config sent to Caddy. */
export type ProxyCertificate = { domainId: string; certificate: string; privateKey: string };

export type ProxySettings = {
  acmeEmail: string;
  acmeCa: 'letsencrypt' | 'zerossl' | 'custom' | 'internal';
  acmeDirectoryUrl: string;
  /** '' when the panel has no domain of its own. */
  panelDomain: string;
  /** host:port Caddy reaches the panel at. */
  panelUpstream: string;
};

export type ProxySnapshot = {
  routes: ProxyRoute[];
  certificates: ProxyCertificate[];
  settings: ProxySettings;
  /** Absolute path of the admin API's unix socket (the admin API is never on the network). */
  adminSocket: string;
  /** The ports visitors use (redirects name them); 80 and 443 by default. */
  httpPort?: number;
  httpsPort?: number;
  /**
   * The ports Caddy binds, when they differ from the ones visitors use: in swarm mode Caddy listens on 80 and 443 in
   * its container and Swarm publishes them on httpPort and httpsPort of the host.
   */
  listenHttpPort?: number;
  listenHttpsPort?: number;
};

export type RenderedConfig = {
  config: Record<string, unknown>;
  /** sha256 of the canonical JSON of `config`. */
  hash: string;
  /** domains.id of every route the config carries. */
  routedIds: string[];
  routeCount: number;
};

export const LETSENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';
const HSTS = 'max-age=31536000';
const ACME_CHALLENGE = '/.well-known/acme-challenge/*';

const HOST = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._~!$&()+,;=:@%/-]*$/;
const DIAL = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;
// Whatever a header or Caddy's placeholders could make something of; the patterns above already exclude them, this
// names the refusal.
const DANGEROUS = /[\r\n"'`{}\\\s*]/;

function refuse(what: string, value: string): never {
  const shown = JSON.stringify(value.slice(0, 80));
  throw new Error(`Refusing to render the proxy config: ${what} ${shown} is not allowed there.`);
}

function checkHost(host: string): string {
  if (host.length > 253 || !HOST.test(host)) refuse('host', host);
  return host;
}

function checkPath(prefix: string): string {
  if (prefix.length > 255 || !PATH.test(prefix) || DANGEROUS.test(prefix)) refuse('path', prefix);
  return prefix.length > 1 ? prefix.replace(/\/+$/, '') || '/' : prefix;
}

function checkDial(dial: string): string {
  if (!DIAL.test(dial)) refuse('upstream', dial);
  return dial;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) refuse('port', String(port));
  return port;
}

function checkPem(pem: string, what: string): string {
  if (!/^-----BEGIN [A-Z0-9 ]+-----[A-Za-z0-9+/=\r\n-]+-----END [A-Z0-9 ]+-----\s*$/.test(pem.trim() + '\n'))
    refuse(what, pem.slice(0, 30));
  return pem;
}

function matcher(host: string, prefix: string): Record<string, string[]> {
  if (prefix === '/') return { host: [host] };
  return { host: [host], path: [prefix, `${prefix}/*`] };
}

function upstreamHandler(upstream: Upstream): Record<string, unknown> {
  const loadBalancing = {
    selection_policy: { policy: 'round_robin' },
    try_duration: '5s',
    try_interval: '100ms',
  };
  if (upstream.kind === 'static') {
    return { handler: 'reverse_proxy', upstreams: [{ dial: checkDial(upstream.dial) }], load_balancing: loadBalancing };
  }
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(upstream.service)) refuse('service', upstream.service);
  return {
    handler: 'reverse_proxy',
    dynamic_upstreams: {
      source: 'a',
      name: `tasks.${upstream.service}`,
      port: String(checkPort(upstream.port)),
      refresh: '1s',
    },
    load_balancing: loadBalancing,
  };
}

const hsts = { handler: 'headers', response: { set: { 'Strict-Transport-Security': [HSTS] } } };

function redirect(location: string): Record<string, unknown> {
  return { handler: 'static_response', status_code: 308, headers: { Location: [location] } };
}

/** Exact names before wildcards, then longer path prefixes first (Caddy takes the first route that matches). */
function order(a: ProxyRoute, b: ProxyRoute): number {
  const wildA = a.host.startsWith('*.') ? 1 : 0;
  const wildB = b.host.startsWith('*.') ? 1 : 0;
  if (wildA !== wildB) return wildA - wildB;
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  if (a.pathPrefix.length !== b.pathPrefix.length) return b.pathPrefix.length - a.pathPrefix.length;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function issuerFor(settings: ProxySettings): Record<string, unknown> {
  const email = settings.acmeEmail ? { email: settings.acmeEmail } : {};
  if (DANGEROUS.test(settings.acmeEmail)) refuse('ACME email', settings.acmeEmail);
  switch (settings.acmeCa) {
    case 'internal':
      return { module: 'internal' };
    case 'zerossl':
      // Caddy's zerossl issuer fetches the EAB credentials ZeroSSL needs from the email.
      return { module: 'zerossl', ...email };
    case 'custom':
      if (!/^https:\/\/[^\s"'{}\\]+$/.test(settings.acmeDirectoryUrl))
        refuse('ACME directory URL', settings.acmeDirectoryUrl);
      return { module: 'acme', ca: settings.acmeDirectoryUrl, ...email };
    case 'letsencrypt':
    default:
      return { module: 'acme', ca: LETSENCRYPT_DIRECTORY, ...email };
  }
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/**
 * The whole config for the snapshot: an `http` server on httpPort (plain routes; TLS names redirect to https
 * except ACME challenges) and an `https` server on httpsPort (TLS names, HSTS), the panel's own domain, the TLS
 * automation policy with the configured issuer, custom certificates, and the admin API on a unix socket.
 */
export function renderProxyConfig(snapshot: ProxySnapshot): RenderedConfig {
  const httpPort = checkPort(snapshot.httpPort ?? 80);
  const httpsPort = checkPort(snapshot.httpsPort ?? 443);
  const listenHttp = checkPort(snapshot.listenHttpPort ?? httpPort);
  const listenHttps = checkPort(snapshot.listenHttpsPort ?? httpsPort);
  if (!snapshot.adminSocket.startsWith('/') || DANGEROUS.test(snapshot.adminSocket))
    refuse('admin socket', snapshot.adminSocket);

  const byId = new Map(snapshot.routes.map((route) => [route.id, route]));
  const routes = snapshot.routes
    .map((route) => ({ ...route, host: checkHost(route.host), pathPrefix: checkPath(route.pathPrefix) }))
    .filter((route) => route.redirectTo || route.upstream)
    .sort(order);

  const settings = snapshot.settings;
  const panelHost = settings.panelDomain ? checkHost(settings.panelDomain) : '';
  if (panelHost && byId.size && [...byId.values()].some((route) => route.host === panelHost))
    refuse('host (the panel’s own domain is also an application’s)', panelHost);

  const httpRoutes: Record<string, unknown>[] = [];
  const httpsRoutes: Record<string, unknown>[] = [];
  const tlsHosts = new Set<string>();

  // The http server first lets ACME HTTP-01 challenges through to Caddy's own solver (it answers them before any
  // route, this keeps them out of the redirect), then sends every TLS name to https with the same host and URI.
  const toHttps = (host: string) => ({
    match: [{ host: [host], not: [{ path: [ACME_CHALLENGE] }] }],
    handle: [redirect(`https://{http.request.host}${httpsPort === 443 ? '' : `:${httpsPort}`}{http.request.uri}`)],
    terminal: true,
  });

  if (panelHost) {
    tlsHosts.add(panelHost);
    httpRoutes.push(toHttps(panelHost));
    httpsRoutes.push({
      match: [{ host: [panelHost] }],
      handle: [hsts, upstreamHandler({ kind: 'static', dial: settings.panelUpstream })],
      terminal: true,
    });
  }

  const redirectedToHttps = new Set<string>();
  for (const route of routes) {
    let handle: Record<string, unknown>[];
    if (route.redirectTo) {
      const target = checkHost(route.redirectTo.host);
      const scheme = route.redirectTo.tls ? 'https' : 'http';
      const port = route.redirectTo.tls ? httpsPort : httpPort;
      const standard = route.redirectTo.tls ? 443 : 80;
      handle = [redirect(`${scheme}://${target}${port === standard ? '' : `:${port}`}{http.request.uri}`)];
    } else {
      handle = [upstreamHandler(route.upstream!)];
    }
    const match = [matcher(route.host, route.pathPrefix)];
    if (route.tlsEnabled) {
      tlsHosts.add(route.host);
      httpsRoutes.push({ match, handle: [hsts, ...handle], terminal: true });
      if (!redirectedToHttps.has(route.host)) {
        redirectedToHttps.add(route.host);
        httpRoutes.push(toHttps(route.host));
      }
    } else {
      httpRoutes.push({ match, handle, terminal: true });
    }
  }

  const certificates = [...snapshot.certificates]
    .sort((a, b) => (a.domainId < b.domainId ? -1 : a.domainId > b.domainId ? 1 : 0))
    .map((cert) => ({
      certificate: checkPem(cert.certificate, 'certificate'),
      key: checkPem(cert.privateKey, 'private key'),
      tags: [`domain:${cert.domainId}`],
    }));
  const customIds = new Set(snapshot.certificates.map((cert) => cert.domainId));
  const customHosts = new Set(snapshot.routes.filter((r) => customIds.has(r.id)).map((r) => r.host));
  const managed = [...tlsHosts].filter((host) => !customHosts.has(host)).sort();

  const tls: Record<string, unknown> = {};
  if (managed.length) tls.automation = { policies: [{ subjects: managed, issuers: [issuerFor(settings)] }] };
  if (certificates.length) tls.certificates = { load_pem: certificates };

  const servers: Record<string, unknown> = {};
  if (httpRoutes.length)
    servers.http = { listen: [`:${listenHttp}`], routes: httpRoutes, automatic_https: { disable: true } };
  if (httpsRoutes.length)
    servers.https = { listen: [`:${listenHttps}`], routes: httpsRoutes, automatic_https: { disable_redirects: true } };

  const apps: Record<string, unknown> = {
    http: { http_port: listenHttp, https_port: listenHttps, servers },
  };
  if (Object.keys(tls).length) apps.tls = tls;
  // Caddy's own CA signs for the internal issuer; it must not try to add its root to this machine's trust store.
  if (settings.acmeCa === 'internal') apps.pki = { certificate_authorities: { local: { install_trust: false } } };

  const config = {
    admin: { listen: `unix/${snapshot.adminSocket}`, config: { persist: false } },
    apps,
  };
  const routedIds = routes.map((route) => route.id).sort();
  return { config, hash: configHash(config), routedIds, routeCount: routes.length + (panelHost ? 1 : 0) };
}
