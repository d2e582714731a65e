import http from 'node:http';
import type { AddressInfo, BlockList } from 'node:net';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { parseEnv } from '@/lib/env';

import {
  CLIENT_IP_HEADER,
  clientIp,
  createClientIpListener,
  currentTrustedProxies,
  FORWARDED_IGNORED_HEADER,
  markClientIpServer,
  normalizeIp,
  parseTrustedProxies,
  setTrustedProxies,
  type TrustedProxies,
} from './client-ip';
import { requestMetaFrom, requestMetaFromHeaders } from './request-meta';

const PROXIES = parseTrustedProxies('10.0.0.0/8, 192.168.1.1, fd00::/8, 2001:db8::10');
const NONE = parseTrustedProxies('');

describe('clientIp', () => {
  it.each<[string, string | undefined, string | string[] | undefined, string | null, typeof PROXIES?]>([
    // [case, socket address, X-Forwarded-For, expected, trusted proxies (default PROXIES)]
    ['no proxy configured: the socket, whatever the header says', '203.0.113.7', '6.6.6.6', '203.0.113.7', NONE],
    ['spoofed header from an untrusted peer is ignored', '203.0.113.7', '6.6.6.6', '203.0.113.7'],
    [
      'spoofed chain ending in a trusted address from an untrusted peer',
      '203.0.113.7',
      '6.6.6.6, 10.0.0.1',
      '203.0.113.7',
    ],
    ['trusted proxy: the address it saw', '10.0.0.2', '198.51.100.4', '198.51.100.4'],
    ['trusted proxy: a client-sent prefix is not believed', '10.0.0.2', '6.6.6.6, 198.51.100.4', '198.51.100.4'],
    [
      'several trusted proxies are skipped from the right',
      '10.0.0.2',
      '6.6.6.6, 198.51.100.4, 192.168.1.1, 10.9.9.9',
      '198.51.100.4',
    ],
    ['all hops trusted: the leftmost trusted hop', '10.0.0.2', '10.1.1.1, 192.168.1.1', '10.1.1.1'],
    ['trusted proxy without a header: the proxy itself', '10.0.0.2', undefined, '10.0.0.2'],
    ['trusted proxy with an empty header: the proxy itself', '10.0.0.2', '', '10.0.0.2'],
    ['repeated headers are read as one list', '10.0.0.2', ['6.6.6.6', '198.51.100.4, 10.0.0.3'], '198.51.100.4'],
    [
      'garbage right of the client: stop at the last trusted hop',
      '10.0.0.2',
      '198.51.100.4, not-an-ip, 10.0.0.3',
      '10.0.0.3',
    ],
    ['garbage as the only entry: the socket', '10.0.0.2', 'unknown', '10.0.0.2'],
    ['an empty entry is garbage', '10.0.0.2', '198.51.100.4,,10.0.0.3', '10.0.0.3'],
    ['a header injection attempt is garbage', '10.0.0.2', '1.2.3.4\r\nx-admin: 1', '10.0.0.2'],
    ['IPv6 client behind an IPv6 proxy', 'fd00::1', '2001:DB8::BEEF', '2001:db8::beef'],
    ['IPv6 proxy listed as a single address', '2001:db8::10', '2001:db8::99', '2001:db8::99'],
    ['IPv6 peer outside the trusted range', '2001:db8::11', '6.6.6.6', '2001:db8::11'],
    ['IPv4-mapped socket address', '::ffff:203.0.113.7', '6.6.6.6', '203.0.113.7'],
    ['IPv4-mapped trusted proxy matches its IPv4 range', '::ffff:10.0.0.2', '198.51.100.4', '198.51.100.4'],
    ['IPv4-mapped entry in the header', '10.0.0.2', '::ffff:198.51.100.4', '198.51.100.4'],
    ['ports and brackets added by some proxies', '10.0.0.2', '[2001:db8::5]:443, 198.51.100.4:5678', '198.51.100.4'],
    ['CIDR match: edge of 10.0.0.0/8', '10.255.255.255', '198.51.100.4', '198.51.100.4'],
    ['CIDR mismatch: just outside 10.0.0.0/8', '11.0.0.0', '198.51.100.4', '11.0.0.0'],
    ['single address is not a range', '192.168.1.2', '198.51.100.4', '192.168.1.2'],
    ['no socket address (closed connection)', undefined, '198.51.100.4', null],
  ])('%s', (_, socketAddress, forwardedFor, expected, trustedProxies = PROXIES) => {
    expect(clientIp({ socketAddress, forwardedFor, trustedProxies })).toBe(expected);
  });

  it('reads a 64 KB header, stops at its first untrusted entry, and walks at most 32 trusted hops', () => {
    // Every hop looked at costs one trust check: counting them bounds the work per request without a clock.
    const checked: string[] = [];
    const counting: TrustedProxies = {
      entries: PROXIES.entries,
      blockList: {
        check: (ip: string, family?: 'ipv4' | 'ipv6') => {
          checked.push(ip);
          return PROXIES.blockList.check(ip, family);
        },
      } as BlockList,
    };
    const from = (forwardedFor: string) => {
      checked.length = 0;
      return clientIp({ socketAddress: '10.0.0.2', forwardedFor, trustedProxies: counting });
    };
    const huge = `${'6.6.6.6, '.repeat(8_000)}198.51.100.4`;
    expect(huge.length).toBeGreaterThan(64 * 1024);
    expect(from(huge)).toBe('198.51.100.4');
    expect(checked).toEqual(['10.0.0.2', '198.51.100.4']);
    expect(from('x'.repeat(64 * 1024))).toBe('10.0.0.2');
    expect(checked).toEqual(['10.0.0.2']);
    // A chain of trusted hops is walked only so far (MAX_HOPS): the answer is the last hop looked at.
    const trustedChain = '10.0.0.1, '.repeat(7_000) + '10.0.0.1';
    expect(from(trustedChain)).toBe('10.0.0.1');
    expect(checked).toHaveLength(1 + 32);
  });
});

describe('normalizeIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['2001:DB8::1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['1.2.3.4:80', '1.2.3.4'],
    ['01.2.3.4', null],
    ['256.1.1.1', null],
    [':ffff:1.2.3.4', null],
    ['1.2.3', null],
    ['localhost', null],
    ['', null],
    [null, null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

describe('parseTrustedProxies', () => {
  it('accepts addresses and ranges of both families, with spaces and stray commas', () => {
    expect(parseTrustedProxies(' 10.0.0.0/8 ,, 127.0.0.1, fd00::/8, ::1, ::ffff:172.16.0.0/108, ').entries).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'fd00::/8',
      '::1',
      '172.16.0.0/12',
    ]);
    expect(parseTrustedProxies(undefined).entries).toEqual([]);
  });

  it.each([
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    '10.0.0.0/',
    '10.0.0.0/a',
    'proxy.internal',
    '1.2.3.4:80',
    '[::1]',
    'fe80::1%eth0',
    '10.0.0.256',
    '::ffff:10.0.0.0/64',
  ])('rejects %j, naming the entry', (entry) => {
    expect(() => parseTrustedProxies(`127.0.0.1, ${entry}`)).toThrow(`Invalid trusted proxy "${entry}"`);
  });

  it('is what lib/env.ts checks SLIPWAY_TRUSTED_PROXIES with', () => {
    expect(parseEnv({ SLIPWAY_TRUSTED_PROXIES: '10.0.0.0/8' }).SLIPWAY_TRUSTED_PROXIES.entries).toEqual(['10.0.0.0/8']);
    expect(parseEnv({}).SLIPWAY_TRUSTED_PROXIES.entries).toEqual([]);
    expect(() => parseEnv({ SLIPWAY_TRUSTED_PROXIES: '10.0.0.0/8, nope' })).toThrow(
      /SLIPWAY_TRUSTED_PROXIES: Invalid trusted proxy "nope"/,
    );
  });
});

// The listener scripts/server.mjs puts in front of Next.js, on a real socket: what the handler sees is what the app sees.
describe('createClientIpListener', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(trusted: string, handle: (req: http.IncomingMessage, res: http.ServerResponse) => unknown) {
    server = http.createServer(createClientIpListener(handle, parseTrustedProxies(trusted)));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const echo = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  };

  it('ignores spoofed headers from an untrusted peer', async () => {
    const url = await serve('10.0.0.0/8', echo);
    const seen = await (
      await fetch(url, {
        headers: {
          'x-forwarded-for': '6.6.6.6',
          [CLIENT_IP_HEADER]: '7.7.7.7',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'https',
        },
      })
    ).json();
    expect(seen[CLIENT_IP_HEADER]).toBe('127.0.0.1');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toBeUndefined();
    expect(seen['x-forwarded-proto']).toBeUndefined();
  });

  it('believes a trusted proxy', async () => {
    const url = await serve('127.0.0.1', echo);
    const seen = await (
      await fetch(url, {
        headers: {
          'x-forwarded-for': '6.6.6.6, 198.51.100.4',
          [CLIENT_IP_HEADER]: '7.7.7.7',
          'x-forwarded-proto': 'https',
        },
      })
    ).json();
    expect(seen[CLIENT_IP_HEADER]).toBe('198.51.100.4');
    expect(seen['x-forwarded-for']).toBe('198.51.100.4');
    expect(seen['x-forwarded-proto']).toBe('https');
  });

  it('marks a request whose X-Forwarded-For it ignored, and removes a client-sent mark', async () => {
    const url = await serve('10.0.0.0/8', echo);
    const forwarded = await (await fetch(url, { headers: { 'x-forwarded-for': '6.6.6.6' } })).json();
    expect(forwarded[FORWARDED_IGNORED_HEADER]).toBe('1');
    const plain = await (await fetch(url, { headers: { [FORWARDED_IGNORED_HEADER]: '1' } })).json();
    expect(plain[FORWARDED_IGNORED_HEADER]).toBeUndefined();
  });

  it('asks for the trusted proxies on every request when given currentTrustedProxies (the panel setting)', async () => {
    const before = currentTrustedProxies();
    try {
      server = http.createServer(createClientIpListener(echo, currentTrustedProxies));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const seen = async () =>
        (await (await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.4' } })).json())[CLIENT_IP_HEADER];
      setTrustedProxies(NONE);
      expect(await seen()).toBe('127.0.0.1');
      setTrustedProxies(parseTrustedProxies('127.0.0.1'));
      expect(await seen()).toBe('198.51.100.4');
      setTrustedProxies(NONE);
      expect(await seen()).toBe('127.0.0.1');
    } finally {
      setTrustedProxies(before);
    }
  });

  it('answers a bare 500 when the handler fails, and logs why', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const url = await serve('', async () => {
        throw new Error('secret detail');
      });
      const response = await fetch(url);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('Internal Server Error');
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('secret detail'));
    } finally {
      logged.mockRestore();
    }
  });
});

// Runs last in this file: marking the process is one-way, as it is in scripts/server.mjs.
describe('requestMetaFrom', () => {
  const request = (headers: Record<string, string>) => new Request('http://panel.test/', { headers });

  it('believes no IP header unless scripts/server.mjs serves this process', () => {
    expect(
      requestMetaFrom(request({ [CLIENT_IP_HEADER]: '198.51.100.4', 'x-forwarded-for': '6.6.6.6' })).ip,
    ).toBeNull();
  });

  it('reads the IP the server set, and the user agent cut to 500 characters', () => {
    markClientIpServer();
    expect(
      requestMetaFrom(request({ [CLIENT_IP_HEADER]: '198.51.100.4', 'user-agent': `  ${'u'.repeat(600)}` })),
    ).toEqual({
      ip: '198.51.100.4',
      userAgent: 'u'.repeat(500),
    });
    expect(requestMetaFrom(request({ 'x-forwarded-for': '6.6.6.6' }))).toEqual({ ip: null, userAgent: null });
    expect(requestMetaFrom(request({ [CLIENT_IP_HEADER]: 'garbage' })).ip).toBeNull();
    expect(requestMetaFromHeaders({ [CLIENT_IP_HEADER]: '2001:db8::1', 'user-agent': ['a', 'b'] })).toEqual({
      ip: '2001:db8::1',
      userAgent: 'a',
    });
    expect(requestMetaFromHeaders(undefined)).toEqual({ ip: null, userAgent: null });
  });
});
