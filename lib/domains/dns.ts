// Does a domain point at this server? A and AAAA answers (a short timeout, one try) compared with this server's
// addresses: its network interfaces and SLIPWAY_PUBLIC_IP (the address the world reaches when this host is behind
// NAT). A warning for the Domains tab, never a refusal: DNS may be changed after the domain is added, and a proxy in
// front (a CDN) answers with its own addresses.
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

import { runAsUser, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { requireProjectAccess } from '@/lib/projects/access';
import { domainRefSchema, type DomainRefInput } from '@/lib/validation/domain';

import { DOMAIN_NOT_FOUND } from './access';

export const DNS_TIMEOUT_MS = 2_000;

export type DnsVerdict = 'points_here' | 'points_elsewhere' | 'does_not_resolve';
export type DnsCheck = {
  /** The name asked (a random label in place of a wildcard's *). */
  asked: string;
  verdict: DnsVerdict;
  /** Every A and AAAA answer. */
  addresses: string[];
  /** Those that are this server's. */
  matching: string[];
  /** What the person should know, in a sentence. */
  hint: string;
};

export type Lookup = (name: string) => Promise<string[]>;
export type DnsDeps = { resolve4: Lookup; resolve6: Lookup; serverAddresses: () => string[] };

/** A wildcard is checked through one random label below it, as any name it covers would resolve. */
export function nameToAsk(ascii: string, random = () => randomBytes(6).toString('hex')): string {
  return ascii.startsWith('*.') ? `slipway-check-${random()}.${ascii.slice(2)}` : ascii;
}

// A name that does not exist, or has no record of the type, is an empty answer; a timeout or a failing resolver too
// (the check says "does not resolve", which is what a browser would find).
const answers = (lookup: Lookup, name: string) => lookup(name).catch(() => [] as string[]);

/** The decision, given what the resolvers answered: testable without a network. */
export async function checkDns(ascii: string, deps: DnsDeps, random?: () => string): Promise<DnsCheck> {
  const asked = nameToAsk(ascii, random);
  const [v4, v6] = await Promise.all([answers(deps.resolve4, asked), answers(deps.resolve6, asked)]);
  const addresses = [...new Set([...v4, ...v6])];
  const own = new Set(deps.serverAddresses().map(normalizeAddress));
  const matching = addresses.filter((address) => own.has(normalizeAddress(address)));
  const wildcard = ascii.startsWith('*.') ? ` (wildcard: checked the random name ${asked})` : '';
  if (addresses.length === 0) {
    return {
      asked,
      verdict: 'does_not_resolve',
      addresses,
      matching,
      hint: `${asked} does not resolve${wildcard}: add an A (or AAAA) record pointing at this server. The domain is saved either way.`,
    };
  }
  if (matching.length === 0) {
    return {
      asked,
      verdict: 'points_elsewhere',
      addresses,
      matching,
      hint: `${asked} points elsewhere (${addresses.join(', ')})${wildcard}: point it at this server, or set SLIPWAY_PUBLIC_IP if this server is reached through NAT. A CDN in front answers with its own addresses.`,
    };
  }
  const others = addresses.filter((address) => !matching.includes(address));
  return {
    asked,
    verdict: 'points_here',
    addresses,
    matching,
    hint:
      others.length === 0
        ? `${asked} points at this server${wildcard}.`
        : `${asked} points at this server (${matching.join(', ')}) and also at ${others.join(', ')}${wildcard}: requests to those go elsewhere.`,
  };
}

/** IPv6 in one spelling (lower-case, no zone), IPv4-mapped IPv6 as IPv4. */
function normalizeAddress(address: string): string {
  const plain = address.toLowerCase().replace(/%.*$/, '');
  const mapped = plain.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  return mapped ? mapped[1]! : plain;
}

/** This host's non-loopback interface addresses and the configured public ones (comma-separated). */
export function localServerAddresses(publicIp: string | undefined): string[] {
  const found = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((info) => !info.internal)
    .map((info) => info.address);
  const configured = (publicIp ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => isIP(value) !== 0);
  return [...new Set([...configured, ...found])];
}

/** The check against the real DNS (system resolvers, one try, DNS_TIMEOUT_MS). */
export function systemDnsDeps(publicIp: string | undefined): DnsDeps {
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 1 });
  return {
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
    serverAddresses: () => localServerAddresses(publicIp),
  };
}

/**
 * The check for one domain of a project the actor may read: the name is read in a short transaction, the DNS is asked
 * after it (no transaction held open across the network). A missing domain is the not_found of anything invisible.
 */
export async function checkDomainDns(
  db: PrismaClient,
  ctx: WorkContext,
  input: DomainRefInput,
  deps: DnsDeps,
): Promise<DnsCheck> {
  const data = domainRefSchema.parse(input);
  const name = await runAsUser(db, ctx, async (tx) => {
    const project = await requireProjectAccess(tx, ctx, data.projectId, 'project.read');
    const row = await tx.domain.findFirst({
      where: { id: data.domainId, projectId: project.id },
      select: { domain: true },
    });
    if (!row) throw new AppError('not_found', DOMAIN_NOT_FOUND);
    return row.domain;
  });
  return checkDns(name, deps);
}
