// A client that goes away is not an error. Browsers close tabs, load tests time out, proxies drop idle connections:
// the socket then fails with ECONNRESET, EPIPE or ECONNABORTED, and a request whose body was still arriving fails
// with "aborted". Next.js logs such an error with its stack (a server action whose POST body was cut off), so one
// abandoned request printed a stack and a load test printed a hundred. Here the production server (scripts/server.mjs)
// marks the errors that come from its clients' sockets and keeps them out of the log; any other connection error
// (a malformed request, a header too large, a timeout) is one line with the reason, rate-limited by quietLog.
// Plain JavaScript for scripts/server.mjs; lib/server/client-errors.ts types it for tests.
import { quietLog } from './quiet-log.mjs';

/** Codes of a peer that hung up. */
const GONE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** @param {unknown} error */
export function isClientGone(error) {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = /** @type {{ code?: unknown; message?: unknown }} */ (error);
  return (typeof code === 'string' && GONE_CODES.has(code)) || message === 'aborted';
}

/** Errors raised by a client's socket or request stream (never by a database or Docker connection). */
const fromClients = new WeakSet();

/** @param {unknown} error */
function mark(error) {
  if (error && typeof error === 'object') fromClients.add(error);
}

/**
 * Whether `value` is a client-gone error from one of our clients' sockets, or wraps one as its `cause` (Next.js
 * rethrows "failed to pipe response" with the socket's error as the cause).
 * @param {unknown} value
 */
export function isGoneClientError(value) {
  for (let error = value, depth = 0; error && typeof error === 'object' && depth < 5; depth += 1) {
    if (fromClients.has(error) && isClientGone(error)) return true;
    error = /** @type {{ cause?: unknown }} */ (error).cause;
  }
  return false;
}

/** The status Node itself answers a request it could not parse with. */
/** @param {unknown} code */
function statusFor(code) {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

/**
 * Marks every error of the server's client sockets and request/response streams, and answers connection errors
 * (`clientError`) itself: silent for a client that went away, one rate-limited line for anything else.
 * @param {import('node:http').Server} server
 * @param {{ log?: (key: string, line: string) => void }} [options]
 */
export function watchClientErrors(server, { log = quietLog } = {}) {
  server.on('connection', (socket) => socket.on('error', mark));
  server.on('request', (req, res) => {
    req.on('error', mark);
    res.on('error', mark);
  });
  server.on('clientError', (error, socket) => {
    mark(error);
    if (!isClientGone(error)) {
      const code = /** @type {{ code?: string }} */ (error).code ?? 'unknown';
      const from = socket.remoteAddress ?? 'an unknown address';
      log(`client-error:${code}`, `[slipway] connection error from ${from}: ${code}: ${error.message}`);
    }
    // What Node does without a listener: answer when nothing was sent on this socket yet, then close it.
    const response = /** @type {{ _httpMessage?: { headersSent?: boolean } }} */ (socket)._httpMessage;
    if (socket.writable && !isClientGone(error) && !response?.headersSent) {
      socket.end(`HTTP/1.1 ${statusFor(/** @type {{ code?: string }} */ (error).code)}\r\nConnection: close\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });
}

/** What Next.js throws, and logs with a stack and a code frame, for a server action id the build does not have. */
const STALE_ACTION = /^Failed to find Server Action "([0-9a-f]{1,64})"/;

/**
 * The id of the server action a page from another build posted (a tab open across an upgrade or rebuild; Next.js
 * answers it 409 "Server Action unavailable"), or null when `args` log something else.
 * @param {unknown[]} args
 */
function staleActionId(args) {
  for (const arg of args) {
    const match = arg instanceof Error ? STALE_ACTION.exec(arg.message) : null;
    if (match) return match[1] ?? null;
  }
  return null;
}

/**
 * `console.error` and `console.warn` that drop a client-gone error of our clients (see isGoneClientError), whether
 * it is logged bare (Next.js's request and render errors) or as one argument among others, and say in one
 * rate-limited line what a stale server action is instead of its stack (Next.js warns it). Installed once per process.
 * @param {Pick<Console, 'error' | 'warn'>} [target]
 * @param {{ log?: (key: string, line: string) => void }} [options]
 */
export function quietGoneClients(target = console, { log = quietLog } = {}) {
  for (const method of /** @type {const} */ (['error', 'warn'])) {
    const write = target[method].bind(target);
    target[method] = (...args) => {
      if (args.some(isGoneClientError)) return;
      const stale = staleActionId(args);
      if (stale !== null) {
        log(
          'stale-server-action',
          `[slipway] a page from another build of the panel posted server action ${stale}: answered 409 (reloading the page fixes it)`,
        );
        return;
      }
      write(...args);
    };
  }
}

/**
 * A request handler whose rejection by a client-gone error is dropped (the response is closed; there is nobody to
 * answer); any other rejection goes on to the caller.
 * @template {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown} H
 * @param {H} handle
 * @returns {H}
 */
export function ignoreGoneClients(handle) {
  return /** @type {H} */ (
    async (req, res) => {
      try {
        return await handle(req, res);
      } catch (error) {
        if (!isGoneClientError(error)) throw error;
        res.destroy();
        return undefined;
      }
    }
  );
}
