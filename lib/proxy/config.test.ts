import { describe, expect, it } from 'vitest';

import { canonicalJson, configHash, renderProxyConfig, type ProxyRoute, type ProxySnapshot } from './config';

const settings = {
  acmeEmail: 'ops@example.com',
  acmeCa: 'letsencrypt' as const,
  acmeDirectoryUrl: '',
  panelDomain: '',
  panelUpstream: '172.18.0.1:3000',
};

function snap(routes: ProxyRoute[], extra: Partial<ProxySnapshot> = {}): ProxySnapshot {
  return { routes, certificates: [], settings, adminSocket: '/run/slipway-proxy/admin.sock', ...extra };
}

const app = (id: string, host: string, more: Partial<ProxyRoute> = {}): ProxyRoute => ({
  id,
  host,
  pathPrefix: '/',
  tlsEnabled: true,
  upstream: { kind: 'tasks', service: 'slw-0123456789ab-web', port: 8080 },
  ...more,
});

type Server = { listen: string[]; routes: { match: Record<string, unknown>[]; handle: Record<string, unknown>[] }[] };
function servers(config: Record<string, unknown>): Record<string, Server> {
  return ((config.apps as Record<string, unknown>).http as { servers: Record<string, Server> }).servers;
}

describe('renderProxyConfig', () => {
  it('puts the admin API on the unix socket only', () => {
    const { config } = renderProxyConfig(snap([]));
    expect(config.admin).toEqual({ listen: 'unix//run/slipway-proxy/admin.sock', config: { persist: false } });
  });

  it('routes a TLS domain to the service tasks by DNS, with retries, HSTS and an http→https redirect', () => {
    const { config, routedIds, routeCount } = renderProxyConfig(snap([app('d1', 'shop.example.com')]));
    const { http, https } = servers(config);
    expect(https!.listen).toEqual([':443']);
    expect(https!.routes[0]!.match).toEqual([{ host: ['shop.example.com'] }]);
    expect(https!.routes[0]!.handle[0]).toEqual({
      handler: 'headers',
      response: { set: { 'Strict-Transport-Security': ['max-age=31536000'] } },
    });
    expect(https!.routes[0]!.handle[1]).toEqual({
      handler: 'reverse_proxy',
      dynamic_upstreams: { source: 'a', name: 'tasks.slw-0123456789ab-web', port: '8080', refresh: '1s' },
      load_balancing: { selection_policy: { policy: 'round_robin' }, try_duration: '5s', try_interval: '100ms' },
    });
    expect(http!.routes[0]).toEqual({
      match: [{ host: ['shop.example.com'], not: [{ path: ['/.well-known/acme-challenge/*'] }] }],
      handle: [
        {
          handler: 'static_response',
          status_code: 308,
          headers: { Location: ['https://{http.request.host}{http.request.uri}'] },
        },
      ],
      terminal: true,
    });
    expect(routedIds).toEqual(['d1']);
    expect(routeCount).toBe(1);
  });

  it('serves a plain domain on :80 only, without HSTS', () => {
    const { config } = renderProxyConfig(snap([app('d1', 'plain.example.com', { tlsEnabled: false })]));
    const { http, https } = servers(config);
    expect(https).toBeUndefined();
    expect(http!.routes).toHaveLength(1);
    expect(http!.routes[0]!.handle.map((h) => h.handler)).toEqual(['reverse_proxy']);
    expect(JSON.stringify(config)).not.toContain('Strict-Transport-Security');
  });

  it('redirects www to the apex with 308, keeping path and query', () => {
    const { config } = renderProxyConfig(
      snap([
        app('apex', 'example.com'),
        {
          id: 'www',
          host: 'www.example.com',
          pathPrefix: '/',
          tlsEnabled: true,
          redirectTo: { host: 'example.com', tls: true },
        },
      ]),
    );
    const route = servers(config).https!.routes.find((r) => (r.match[0]!.host as string[])[0] === 'www.example.com')!;
    expect(route.handle[1]).toEqual({
      handler: 'static_response',
      status_code: 308,
      headers: { Location: ['https://example.com{http.request.uri}'] },
    });
  });

  it('puts non-standard ports into redirects', () => {
    const { config } = renderProxyConfig(
      snap(
        [{ id: 'w', host: 'www.a.test', pathPrefix: '/', tlsEnabled: true, redirectTo: { host: 'a.test', tls: true } }],
        { httpPort: 18080, httpsPort: 18443 },
      ),
    );
    const { http, https } = servers(config);
    expect(http!.listen).toEqual([':18080']);
    expect(JSON.stringify(http!.routes)).toContain('https://{http.request.host}:18443{http.request.uri}');
    expect(JSON.stringify(https!.routes)).toContain('https://a.test:18443{http.request.uri}');
    expect((config.apps as { http: { https_port: number } }).http.https_port).toBe(18443);
  });

  it('binds the container ports and names the published ones in redirects (swarm mode)', () => {
    const { config } = renderProxyConfig(
      snap([app('a', 'a.test')], { httpPort: 18080, httpsPort: 18443, listenHttpPort: 80, listenHttpsPort: 443 }),
    );
    const { http, https } = servers(config);
    expect(http!.listen).toEqual([':80']);
    expect(https!.listen).toEqual([':443']);
    expect(JSON.stringify(http!.routes)).toContain('https://{http.request.host}:18443{http.request.uri}');
    expect((config.apps as { http: { http_port: number; https_port: number } }).http).toMatchObject({
      http_port: 80,
      https_port: 443,
    });
  });

  it('matches a path prefix as the path and everything under it, longer prefixes first', () => {
    const { config } = renderProxyConfig(
      snap([
        app('root', 'a.test'),
        app('api', 'a.test', { pathPrefix: '/api/' }),
        app('v2', 'a.test', { pathPrefix: '/api/v2' }),
      ]),
    );
    const matches = servers(config).https!.routes.map((r) => r.match[0]);
    expect(matches).toEqual([
      { host: ['a.test'], path: ['/api/v2', '/api/v2/*'] },
      { host: ['a.test'], path: ['/api', '/api/*'] },
      { host: ['a.test'] },
    ]);
    // One http→https redirect per host, not per route.
    expect(servers(config).http!.routes).toHaveLength(1);
  });

  it('puts exact names before wildcards', () => {
    const { config } = renderProxyConfig(snap([app('w', '*.a.test'), app('e', 'x.a.test')]));
    expect(servers(config).https!.routes.map((r) => (r.match[0]!.host as string[])[0])).toEqual([
      'x.a.test',
      '*.a.test',
    ]);
  });

  it('leaves out a domain with no upstream (its application is not running)', () => {
    const { config, routedIds } = renderProxyConfig(
      snap([{ id: 'x', host: 'dead.test', pathPrefix: '/', tlsEnabled: true }]),
    );
    expect(routedIds).toEqual([]);
    expect(JSON.stringify(config)).not.toContain('dead.test');
  });

  it.each([
    ['letsencrypt', { module: 'acme', ca: 'https://acme-v02.api.letsencrypt.org/directory', email: 'ops@example.com' }],
    ['zerossl', { module: 'zerossl', email: 'ops@example.com' }],
    ['custom', { module: 'acme', ca: 'https://acme.internal.test/dir', email: 'ops@example.com' }],
    ['internal', { module: 'internal' }],
  ] as const)('uses the %s issuer for managed names', (acmeCa, issuer) => {
    const { config } = renderProxyConfig(
      snap([app('d', 'a.test')], {
        settings: { ...settings, acmeCa, acmeDirectoryUrl: 'https://acme.internal.test/dir' },
      }),
    );
    expect((config.apps as { tls: unknown }).tls).toEqual({
      automation: { policies: [{ subjects: ['a.test'], issuers: [issuer] }] },
    });
  });

  it('never lets the internal CA touch the machine trust store', () => {
    const internal = renderProxyConfig(snap([app('d', 'a.test')], { settings: { ...settings, acmeCa: 'internal' } }));
    expect((internal.config.apps as { pki: unknown }).pki).toEqual({
      certificate_authorities: { local: { install_trust: false } },
    });
    expect((renderProxyConfig(snap([app('d', 'a.test')])).config.apps as { pki?: unknown }).pki).toBeUndefined();
  });

  it('loads custom certificates and does not ask ACME for their names', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    const { config } = renderProxyConfig(
      snap([app('c', 'custom.test'), app('m', 'managed.test')], {
        certificates: [{ domainId: 'c', certificate: pem, privateKey: key }],
      }),
    );
    expect((config.apps as { tls: unknown }).tls).toEqual({
      automation: {
        policies: [{ subjects: ['managed.test'], issuers: [expect.objectContaining({ module: 'acme' })] }],
      },
      certificates: { load_pem: [{ certificate: pem, key, tags: ['domain:c'] }] },
    });
  });

  it('refuses a certificate field that is not PEM', () => {
    expect(() =>
      renderProxyConfig(
        snap([app('c', 'c.test')], { certificates: [{ domainId: 'c', certificate: 'x"}', privateKey: 'k' }] }),
      ),
    ).toThrow(/certificate/);
  });

  it('routes the panel domain to the panel upstream with HSTS', () => {
    const { config, routeCount } = renderProxyConfig(
      snap([], { settings: { ...settings, panelDomain: 'panel.example.com' } }),
    );
    const { http, https } = servers(config);
    expect(https!.routes[0]).toEqual({
      match: [{ host: ['panel.example.com'] }],
      handle: [
        { handler: 'headers', response: { set: { 'Strict-Transport-Security': ['max-age=31536000'] } } },
        expect.objectContaining({ handler: 'reverse_proxy', upstreams: [{ dial: '172.18.0.1:3000' }] }),
      ],
      terminal: true,
    });
    expect(http!.routes).toHaveLength(1);
    expect(routeCount).toBe(1);
  });

  it('refuses the panel domain also used by an application', () => {
    expect(() =>
      renderProxyConfig(snap([app('d', 'panel.test')], { settings: { ...settings, panelDomain: 'panel.test' } })),
    ).toThrow(/panel/);
  });

  it.each([
    'a.test\r\nX-Evil: 1',
    'a.test\n',
    'a"b.test',
    "a'b.test",
    'a{http.request.host}.test',
    'A.TEST',
    'a..b',
    '-a.com',
    'exa mple.com',
    'example.com:443',
    'example.com/path',
    '*.*.com',
    '*.',
    `${'a'.repeat(64)}.com`,
  ])('refuses host %j', (host) => {
    expect(() => renderProxyConfig(snap([app('d', host)]))).toThrow(/Refusing/);
  });

  it.each(['/a\r\nb', '/a"b', "/a'b", '/{path}', '/a*', 'api', '/a b', '/a\\b'])('refuses path %j', (pathPrefix) => {
    expect(() => renderProxyConfig(snap([app('d', 'a.test', { pathPrefix })]))).toThrow(/Refusing/);
  });

  it('refuses a redirect target or service name that could inject', () => {
    expect(() =>
      renderProxyConfig(
        snap([
          { id: 'r', host: 'a.test', pathPrefix: '/', tlsEnabled: true, redirectTo: { host: 'b.test"', tls: true } },
        ]),
      ),
    ).toThrow(/Refusing/);
    expect(() =>
      renderProxyConfig(snap([app('d', 'a.test', { upstream: { kind: 'tasks', service: 'x\ny', port: 80 } })])),
    ).toThrow(/Refusing/);
    expect(() =>
      renderProxyConfig(snap([app('d', 'a.test', { upstream: { kind: 'tasks', service: 'x', port: 0 } })])),
    ).toThrow(/port/);
  });

  it('renders the same hash whatever order the rows come in', () => {
    const rows = [
      app('a', 'a.test'),
      app('b', 'b.test', { pathPrefix: '/x' }),
      app('c', 'c.test', { tlsEnabled: false }),
    ];
    expect(renderProxyConfig(snap(rows)).hash).toBe(renderProxyConfig(snap([...rows].reverse())).hash);
    expect(renderProxyConfig(snap(rows)).hash).not.toBe(renderProxyConfig(snap(rows.slice(1))).hash);
  });

  it('hashes canonical JSON (key order does not matter)', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(configHash({ b: 1, a: 2 })).toBe(configHash({ a: 2, b: 1 }));
  });

  it('renders 1,000 domains quickly, each once', () => {
    const rows = Array.from({ length: 1000 }, (_, i) =>
      app(`d${String(i).padStart(4, '0')}`, `app${i}.example.com`, { tlsEnabled: i % 2 === 0 }),
    );
    const started = performance.now();
    const { config, routedIds, routeCount } = renderProxyConfig(snap(rows));
    const ms = performance.now() - started;
    expect(routeCount).toBe(1000);
    expect(routedIds).toHaveLength(1000);
    const { http, https } = servers(config);
    expect(https!.routes).toHaveLength(500);
    expect(http!.routes).toHaveLength(1000); // 500 plain routes + 500 redirects to https
    expect(ms).toBeLessThan(1000);
    console.log(`rendered 1,000 domains in ${ms.toFixed(1)} ms, ${JSON.stringify(config).length} bytes`);
  });
});
