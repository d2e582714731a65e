// Typed face of lib/http/client-ip-core.mjs: the client IP logic lives there, in plain JavaScript, because the
// production server (scripts/server.mjs) runs it without TypeScript. Import it from here in the app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';

// @ts-expect-error -- plain JavaScript module (tsconfig has allowJs off); its exports are typed below.
import * as core from './client-ip-core.mjs';

/** Parsed trusted proxies (SLIPWAY_TRUSTED_PROXIES or the panel setting): the addresses and CIDR ranges whose X-Forwarded-For is believed. */
export type TrustedProxies = { readonly entries: readonly string[]; readonly blockList: BlockList };

export type ClientIpInput = {
  /** `req.socket.remoteAddress`: the peer that opened the connection. */
  socketAddress: string | null | undefined;
  /** The X-Forwarded-For header as received (Node joins repeated headers with ", "). */
  forwardedFor: string | readonly string[] | null | undefined;
  trustedProxies: TrustedProxies;
};

export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** The request header that carries the client IP from scripts/server.mjs to the app. */
export const CLIENT_IP_HEADER: 'x-slipway-client-ip' = core.CLIENT_IP_HEADER;

/** '1' on a request whose X-Forwarded-For came from a peer that is not a trusted proxy (and was dropped). */
export const FORWARDED_IGNORED_HEADER: 'x-slipway-forwarded-ignored' = core.FORWARDED_IGNORED_HEADER;

/** The trusted proxies the server applies to every request from now on (process-wide, through globalThis). */
export const setTrustedProxies: (trustedProxies: TrustedProxies) => void = core.setTrustedProxies;

/** What setTrustedProxies() last set in this process, or none. */
export const currentTrustedProxies: () => TrustedProxies = core.currentTrustedProxies;

/** Marks this process as served by scripts/server.mjs (which sets CLIENT_IP_HEADER on every request). */
export const markClientIpServer: () => void = core.markClientIpServer;

/** Whether CLIENT_IP_HEADER can be believed: only when scripts/server.mjs serves this process. */
export const isClientIpServer: () => boolean = core.isClientIpServer;

/** A bare, canonical IP address (IPv4-mapped IPv6 as IPv4, no port or zone), or null if `value` is not one. */
export const normalizeIp: (value: string | null | undefined) => string | null = core.normalizeIp;

/** Comma-separated IPs and CIDR ranges; throws an Error naming the first entry that is neither. */
export const parseTrustedProxies: (text: string | null | undefined) => TrustedProxies = core.parseTrustedProxies;

/** The socket peer, or, when that peer is a trusted proxy, the first untrusted hop of X-Forwarded-For from the right. */
export const clientIp: (input: ClientIpInput) => string | null = core.clientIp;

/** Sets CLIENT_IP_HEADER and X-Forwarded-For on `req` to its client IP (and drops spoofable forwarding headers). */
export const applyClientIp: (req: IncomingMessage, trustedProxies: TrustedProxies) => string | null =
  core.applyClientIp;

/** The server's request listener: applyClientIp(), then `handle`; a failing handler answers a bare 500. */
export const createClientIpListener: (
  handle: NodeRequestHandler,
  trustedProxies: TrustedProxies | (() => TrustedProxies),
) => NodeRequestHandler = core.createClientIpListener;
