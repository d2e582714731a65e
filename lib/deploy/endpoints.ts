// How a person reaches a running application: its published ports as addresses on a host they can use. Ingress
// ports answer on every node, so the panel's own host is shown (the one address the person surely reaches); a
// host-mode port answers on its task's node: the panel's host when that is the node the panel drives, else the
// node's address.
import { env } from '@/lib/env';
import { publishedPorts, type Protocol, type PublishedPort } from '@/lib/swarm';

import { getDocker } from './docker';

export type Address = { text: string; href?: string; protocol: Protocol; target: number; mode: 'ingress' | 'host' };
export type Addresses = { ok: true; addresses: Address[] } | { ok: false; message: string };

/** The panel's host name as people reach it: SLIPWAY_URL's (`configured`), else the request's Host header's, else localhost. */
export function panelHostname(hostHeader: string | null | undefined, configured: string | undefined): string {
  for (const candidate of [configured, hostHeader ? `http://${hostHeader}` : undefined]) {
    if (!candidate) continue;
    try {
      const { hostname } = new URL(candidate);
      if (hostname) return hostname;
    } catch {
      // Not a host name (a forged Host header): try the next source.
    }
  }
  return 'localhost';
}

const bracketed = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** The addresses of published ports: tcp ones as http links, the others as text (a browser cannot open them). */
export function addressesOf(ports: readonly PublishedPort[], panelHost: string): Address[] {
  return ports.map((port) => {
    const host = bracketed(
      port.mode === 'host' && port.node && !port.node.local && port.node.addr ? port.node.addr : panelHost,
    );
    const text = `${host}:${port.published}${port.protocol === 'tcp' ? '' : `/${port.protocol}`}`;
    return {
      text,
      ...(port.protocol === 'tcp' ? { href: `http://${host}:${port.published}/` } : {}),
      protocol: port.protocol,
      target: port.target,
      mode: port.mode,
    };
  });
}

/**
 * The running application's addresses, for a request whose Host header is `hostHeader`. Never rejects: a Docker
 * that cannot be asked becomes a message beside the rest of the page.
 */
export async function applicationAddresses(
  app: { id: string; name: string },
  hostHeader: string | null,
): Promise<Addresses> {
  try {
    const host = panelHostname(hostHeader, env().SLIPWAY_URL);
    return { ok: true, addresses: addressesOf(await publishedPorts(getDocker(), app), host) };
  } catch (error) {
    console.error('[slipway] reading the published ports failed', { applicationId: app.id, error });
    return {
      ok: false,
      message: 'Docker could not be asked for the published ports just now; reload the page to try again.',
    };
  }
}
