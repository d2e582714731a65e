// The client's IP address, decided once per request by the production server (scripts/server.mjs) and read by
// the app through lib/http/client-ip.ts. Plain JavaScript so the server can load it without TypeScript at runtime;
// lib/http/client-ip.ts re-exports it with types, so there is one implementation.
//
// X-Forwarded-For is whatever the previous hop says. Only a proxy the operator trusts may say it: a request whose
// socket peer is not a trusted proxy is attributed to that peer and its forwarding headers are dropped.
import net from 'node:net';

/** Set by the server on every request (any incoming header of that name is removed first). */
export const CLIENT_IP_HEADER = 'x-slipway-client-ip';

/**
 * Set by the server, to '1', on a request that carried X-Forwarded-For from a peer that is not a trusted proxy (the
 * header was dropped): what the admin settings page warns about when that peer is a private address.
 */
export const FORWARDED_IGNORED_HEADER = 'x-slipway-forwarded-ignored';

const SERVER_MARK = Symbol.for('slipway.clientIpServer');

/** Called by scripts/server.mjs before Next.js starts: from then on, CLIENT_IP_HEADER in this process is its own. */
export function markClientIpServer() {
  /** @type {Record<symbol, unknown>} */ (globalThis)[SERVER_MARK] = true;
}

/**
 * Whether this process serves requests through scripts/server.mjs. Without it (`next dev`, `next start`) nothing
 * removes a CLIENT_IP_HEADER sent by the client, so the header means nothing.
 * @returns {boolean}
 */
export function isClientIpServer() {
  return /** @type {Record<symbol, unknown>} */ (globalThis)[SERVER_MARK] === true;
}

/** Forwarding headers that Next.js reads and that only a trusted proxy may set. */
const FORWARDING_HEADERS = ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port'];

/** Beyond this many hops the chain is not a deployment anyone runs: stop walking (bounds the work per request). */
const MAX_HOPS = 32;

const MAPPED_DOTTED = /^(?:(?:0{1,4}:){5}|::(?:0{1,4}:)?)ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^(?:(?:0{1,4}:){5}|::(?:0{1,4}:)?)ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

/**
 * `value` as a bare IP address, or null if it is not one. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4,
 * IPv6 is lower-cased without its zone (`%eth0`), and the port some proxies append (`1.2.3.4:5678`,
 * `[2001:db8::1]:443`) is dropped.
 * @param {string | null | undefined} value
 * @returns {string | null}
 */
export function normalizeIp(value) {
  if (typeof value !== 'string') return null;
  let ip = value.trim();
  // The longest IPv6 text (IPv4 tail, brackets, port) is well under 64 characters.
  if (ip === '' || ip.length > 64) return null;
  ip = BRACKETED.exec(ip)?.[1] ?? IPV4_WITH_PORT.exec(ip)?.[1] ?? ip;
  const version = net.isIP(ip);
  if (version === 4) return ip;
  if (version !== 6) return null;
  const zone = ip.indexOf('%');
  if (zone !== -1) ip = ip.slice(0, zone);
  const dotted = MAPPED_DOTTED.exec(ip);
  if (dotted && net.isIP(dotted[1] ?? '') === 4) return /** @type {string} */ (dotted[1]);
  const hex = MAPPED_HEX.exec(ip);
  if (hex) {
    const high = Number.parseInt(hex[1] ?? '0', 16);
    const low = Number.parseInt(hex[2] ?? '0', 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return net.isIP(ip) === 6 ? ip.toLowerCase() : null;
}

/**
 * @typedef {{ readonly entries: readonly string[]; readonly blockList: net.BlockList }} TrustedProxies
 */

/**
 * Parses a comma-separated list of IP addresses and CIDR ranges (`10.0.0.0/8, fd00::/8, 127.0.0.1`).
 * Throws an Error naming the first entry that is neither.
 * @param {string | null | undefined} text
 * @returns {TrustedProxies}
 */
export function parseTrustedProxies(text) {
  const blockList = new net.BlockList();
  /** @type {string[]} */
  const entries = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const invalid = () =>
      new Error(
        `Invalid trusted proxy "${entry.slice(0, 100)}": expected an IP address or a CIDR range ` +
          '(e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8), separated by commas.',
      );
    // A bare address only: no port, brackets or zone, which normalizeIp() would quietly accept.
    if (rest.length > 0 || address.includes('%') || net.isIP(address) === 0) throw invalid();
    const ip = /** @type {string} */ (normalizeIp(address));
    const version = net.isIP(ip);
    if (prefix === undefined) {
      blockList.addAddress(ip, version === 6 ? 'ipv6' : 'ipv4');
      entries.push(ip);
      continue;
    }
    if (!/^\d{1,3}$/.test(prefix)) throw invalid();
    let bits = Number(prefix);
    // `::ffff:10.0.0.0/104` is 10.0.0.0/8 written as IPv6: addresses are compared after normalizeIp().
    if (version === 4 && net.isIP(address) === 6) bits -= 96;
    if (bits < 0 || bits > (version === 6 ? 128 : 32)) throw invalid();
    blockList.addSubnet(ip, bits, version === 6 ? 'ipv6' : 'ipv4');
    entries.push(`${ip}/${bits}`);
  }
  return Object.freeze({ entries: Object.freeze(entries), blockList });
}

/**
 * @param {TrustedProxies} trustedProxies
 * @param {string} ip a normalizeIp() result
 */
function isTrusted(trustedProxies, ip) {
  return trustedProxies.entries.length > 0 && trustedProxies.blockList.check(ip, net.isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address: the socket peer, unless that peer is a trusted proxy; then X-Forwarded-For is read from the
 * right (each proxy appends the address it received the request from), skipping trusted proxies, up to the first
 * address that is not one. An entry that is not an IP address ends the walk: the last trusted hop is the answer.
 * @param {{ socketAddress: string | null | undefined; forwardedFor: string | readonly string[] | null | undefined; trustedProxies: TrustedProxies }} input
 * @returns {string | null}
 */
export function clientIp({ socketAddress, forwardedFor, trustedProxies }) {
  const peer = normalizeIp(socketAddress);
  if (peer === null || !isTrusted(trustedProxies, peer)) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  let client = peer;
  let end = header.length;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const start = end > 0 ? header.lastIndexOf(',', end - 1) : -1;
    const ip = normalizeIp(header.slice(start + 1, end));
    if (ip === null) return client;
    if (!isTrusted(trustedProxies, ip)) return ip;
    client = ip;
    if (start === -1) break;
    end = start;
  }
  return client;
}

const PROXIES_KEY = Symbol.for('slipway.trustedProxies');
const NO_PROXIES = parseTrustedProxies('');

/**
 * The trusted proxies this process applies from now on (the server's listener reads them on every request): the
 * server sets SLIPWAY_TRUSTED_PROXIES at start, the app the administrator's setting (lib/settings/trusted-proxies.ts).
 * On globalThis because scripts/server.mjs and the bundled app each load their own copy of this module.
 * @param {TrustedProxies} trustedProxies
 */
export function setTrustedProxies(trustedProxies) {
  /** @type {Record<symbol, unknown>} */ (globalThis)[PROXIES_KEY] = trustedProxies;
}

/** @returns {TrustedProxies} what setTrustedProxies() last set, or none */
export function currentTrustedProxies() {
  return (
    /** @type {TrustedProxies | undefined} */ (/** @type {Record<symbol, unknown>} */ (globalThis)[PROXIES_KEY]) ??
    NO_PROXIES
  );
}

/**
 * Decides the client IP of `req` and rewrites its headers to match: CLIENT_IP_HEADER and X-Forwarded-For carry that
 * one address (so Next.js's `x-forwarded-for ??= socket address` cannot be fooled either), and the other
 * forwarding headers are dropped unless the peer is a trusted proxy.
 * @param {import('node:http').IncomingMessage} req
 * @param {TrustedProxies} trustedProxies
 * @returns {string | null}
 */
export function applyClientIp(req, trustedProxies) {
  const peer = normalizeIp(req.socket.remoteAddress);
  const ip = clientIp({ socketAddress: peer, forwardedFor: req.headers['x-forwarded-for'], trustedProxies });
  const forwarded = req.headers['x-forwarded-for'] !== undefined;
  delete req.headers[CLIENT_IP_HEADER];
  delete req.headers[FORWARDED_IGNORED_HEADER];
  delete req.headers['x-forwarded-for'];
  if (peer === null || !isTrusted(trustedProxies, peer)) {
    for (const name of FORWARDING_HEADERS) delete req.headers[name];
    if (forwarded) req.headers[FORWARDED_IGNORED_HEADER] = '1';
  }
  if (ip !== null) {
    req.headers[CLIENT_IP_HEADER] = ip;
    req.headers['x-forwarded-for'] = ip;
  }
  return ip;
}

/**
 * @typedef {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown} RequestHandler
 */

/**
 * An `http.createServer` listener that sets the client IP headers, then hands the request to `handle` (Next.js's
 * request handler in production). A handler that throws or rejects gets a bare 500, never a stack trace.
 * `trustedProxies` may be a function, asked on every request (the server passes currentTrustedProxies).
 * @param {RequestHandler} handle
 * @param {TrustedProxies | (() => TrustedProxies)} trustedProxies
 * @returns {RequestHandler}
 */
export function createClientIpListener(handle, trustedProxies) {
  return (req, res) => {
    /** @param {unknown} error */
    const fail = (error) => {
      console.error(
        `[slipway] request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (res.headersSent) {
        res.destroy();
      } else {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('Internal Server Error');
      }
    };
    try {
      applyClientIp(req, typeof trustedProxies === 'function' ? trustedProxies() : trustedProxies);
      return Promise.resolve(handle(req, res)).catch(fail);
    } catch (error) {
      fail(error);
      return undefined;
    }
  };
}
