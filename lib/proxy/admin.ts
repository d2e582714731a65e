// Client of Caddy's admin API: over its unix socket (the default, never reachable from the network) or an
// http://127.0.0.1 URL (SLIPWAY_PROXY_ADMIN=http://127.0.0.1:2019, a Caddy run by hand on the host). Caddy 2.6 on
// a unix socket accepts only an empty Host header, so every request sends one.
import http from 'node:http';

/** Where the admin API is: `unix:/path/to/admin.sock`, a bare absolute path, or `http://127.0.0.1:<port>`. */
export type AdminAddress = string;

export type AdminOptions = { timeoutMs?: number };

/** Caddy was not reachable (no socket, refused, timed out): nothing was changed. */
export class ProxyUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyUnreachableError';
  }
}

/** Caddy answered and refused: its own error text, the running config untouched (/load is atomic). */
export class ProxyRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProxyRejectedError';
  }
}

function target(address: AdminAddress): { socketPath?: string; host?: string; port?: number } {
  if (address.startsWith('http://')) {
    const url = new URL(address);
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost' && url.hostname !== '[::1]')
      throw new Error(`The proxy's admin API must be on this machine (127.0.0.1), not ${url.hostname}.`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) };
  }
  const socketPath = address.replace(/^unix:\/*/, '/');
  if (!socketPath.startsWith('/')) throw new Error(`“${address}” is not an admin socket path or http://127.0.0.1 URL.`);
  return { socketPath };
}

function request(
  address: AdminAddress,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
  { timeoutMs = 10_000 }: AdminOptions,
): Promise<{ status: number; text: string }> {
  const where = target(address);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...where,
        method,
        path,
        // Node would otherwise fill an empty Host with "localhost", which Caddy refuses on a socket.
        setHost: false,
        headers: {
          host: where.socketPath ? '' : `${where.host}:${where.port}`,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(new ProxyUnreachableError(`Caddy's answer broke off: ${error.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) =>
      reject(new ProxyUnreachableError(`Caddy's admin API (${address}) is not reachable: ${error.message}`)),
    );
    req.end(body);
  });
}

/** Caddy's error text: its JSON `{"error": "..."}` when it sent one. */
function caddyError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON: the text itself.
  }
  return text.trim().slice(0, 2000) || '(no message)';
}

/** The config Caddy runs now (null when it runs none, e.g. just restarted without a config). */
export async function getConfig(address: AdminAddress, options: AdminOptions = {}): Promise<unknown> {
  const { status, text } = await request(address, 'GET', '/config/', undefined, options);
  if (status !== 200) throw new ProxyRejectedError(`Caddy refused to show its config: ${caddyError(text)}`, status);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProxyRejectedError(`Caddy's config is not JSON: ${text.slice(0, 200)}`, status);
  }
}

/**
 * Replaces Caddy's whole config (POST /load). Atomic in Caddy: when it refuses (400), the previous config keeps
 * running, and the thrown ProxyRejectedError carries Caddy's reason.
 */
export async function loadConfig(address: AdminAddress, config: unknown, options: AdminOptions = {}): Promise<void> {
  const { status, text } = await request(address, 'POST', '/load', JSON.stringify(config), {
    timeoutMs: 60_000,
    ...options,
  });
  if (status !== 200) throw new ProxyRejectedError(`Caddy refused the config: ${caddyError(text)}`, status);
}
