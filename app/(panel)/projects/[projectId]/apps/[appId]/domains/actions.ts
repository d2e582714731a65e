'use server';

// The Domains tab. Each lib/domains function authorizes through the project (and the application it routes to),
// writes and audits in one transaction; changeDomains runs it as the user and asks the proxy to sync after the
// commit. formAction/callAction do the steps around it.
import { callAction, formAction } from '@/lib/actions/form-action';
import { checkDomainDns, systemDnsDeps, type DnsCheck } from '@/lib/domains/dns';
import { addDomain, changeDomains, removeDomain, updateDomain } from '@/lib/domains/mutations';
import { env } from '@/lib/env';
import { addDomainSchema, domainRefSchema, updateDomainSchema } from '@/lib/validation/domain';
import { displayHostname } from '@/lib/validation/hostname';

const DOMAINS_PAGE: [string, 'page'] = ['/projects/[projectId]/apps/[appId]/domains', 'page'];

export const addDomainAction = formAction({
  schema: addDomainSchema,
  keys: ['projectId', 'targetType', 'targetId', 'domain', 'pathPrefix', 'containerPort', 'tlsEnabled', 'withPartner'],
  call: (db, ctx, input) => changeDomains(db, ctx, (tx) => addDomain(tx, ctx, input)),
  revalidate: [DOMAINS_PAGE],
  success: ({ domain, partner }) =>
    `${domain.display} added${partner ? `, with ${partner.display} redirecting to it` : ''}. The proxy picks it up in a moment.`,
});

export const updateDomainAction = formAction({
  schema: updateDomainSchema,
  keys: ['projectId', 'domainId', 'pathPrefix', 'containerPort', 'tlsEnabled', 'redirectToId'],
  call: (db, ctx, input) => changeDomains(db, ctx, (tx) => updateDomain(tx, ctx, input)),
  revalidate: [DOMAINS_PAGE],
  success: (domain) => `${domain.display} saved.`,
});

export const removeDomainAction = formAction({
  schema: domainRefSchema,
  keys: ['projectId', 'domainId'],
  stale: true,
  call: (db, ctx, input) => changeDomains(db, ctx, (tx) => removeDomain(tx, ctx, input)),
  revalidate: [DOMAINS_PAGE],
  success: ({ removed }) => `Removed ${removed.map(displayHostname).join(', ')}.`,
});

export type DnsResult = { ok: true; check: DnsCheck } | { ok: false; message: string };

/** Asks the DNS where the domain points; a warning to show, never a refusal. */
export const checkDomainDnsAction: (projectId: string, domainId: string) => Promise<DnsResult> = callAction({
  args: (projectId: string, domainId: string) => ({ projectId, domainId }),
  schema: domainRefSchema,
  call: (db, ctx, input) => checkDomainDns(db, ctx, input, systemDnsDeps(env().SLIPWAY_PUBLIC_IP)),
  success: (check) => ({ ok: true as const, check }),
});
