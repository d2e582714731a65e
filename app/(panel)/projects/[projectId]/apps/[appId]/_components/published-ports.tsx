// How to reach the running application: its published ports as links (tcp) or addresses (udp, sctp). A server
// component that waits for Swarm's answer inside the page's Suspense boundary, so the rest of the page never waits.
import Link from 'next/link';

import type { Addresses } from '@/lib/deploy/endpoints';

export async function PublishedPorts({
  addresses,
  settingsHref,
}: {
  addresses: Promise<Addresses>;
  settingsHref: string;
}) {
  const result = await addresses;
  if (!result.ok) {
    return (
      <p role="status" className="text-sm text-muted">
        {result.message}
      </p>
    );
  }
  if (result.addresses.length === 0) {
    return (
      <p className="text-sm text-muted">
        No port is published: the service is reachable only inside its networks. Publish one on the{' '}
        <Link href={settingsHref} className="underline hover:text-foreground">
          Settings
        </Link>{' '}
        tab.
      </p>
    );
  }
  return (
    <ul className="space-y-1 text-sm" aria-label="Published ports">
      {result.addresses.map((address) => (
        <li key={`${address.text}-${address.target}`} className="flex flex-wrap items-baseline gap-x-2">
          {address.href ? (
            <a
              href={address.href}
              target="_blank"
              rel="noreferrer"
              className="font-mono underline hover:text-foreground"
            >
              {address.text}
            </a>
          ) : (
            <span className="font-mono">{address.text}</span>
          )}
          <span className="text-xs text-muted">
            → container port {address.target}/{address.protocol},{' '}
            {address.mode === 'ingress' ? 'on every node' : 'on this node only'}
          </span>
        </li>
      ))}
    </ul>
  );
}
