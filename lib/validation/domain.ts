// Domains: what a person may submit, shared by the Domains tab's forms, their actions and lib/domains (which parses
// again). The name, path and port rules are lib/validation/hostname.ts; the database repeats them as CHECKs.
import { z } from 'zod';

import { checkboxSchema } from './checkbox';
import { containerPortSchema, hostnameSchema, pathPrefixSchema } from './hostname';
import { idSchema } from './ids';
import { projectIdSchema } from './project';

export const DOMAIN_TARGET_TYPES = ['application', 'database'] as const;
export type DomainTargetType = (typeof DOMAIN_TARGET_TYPES)[number];

export const domainIdSchema = idSchema('domain');

export const addDomainSchema = z.object({
  projectId: projectIdSchema,
  targetType: z.enum(DOMAIN_TARGET_TYPES, { message: 'A domain routes to an application or a database.' }),
  targetId: idSchema('application'),
  domain: hostnameSchema,
  pathPrefix: pathPrefixSchema,
  containerPort: containerPortSchema,
  tlsEnabled: checkboxSchema,
  /** Also add the www <-> apex partner, answering with a redirect to this domain. */
  withPartner: checkboxSchema,
});
export type AddDomainInput = z.input<typeof addDomainSchema>;

/** Blank: the domain serves its target; an id: it redirects to that domain of the same application. */
const redirectToSchema = z
  .string()
  .nullish()
  .transform((value) => (value ? value : null))
  .pipe(idSchema('domain', 'Choose a domain of this application to redirect to.').nullable());

export const updateDomainSchema = z.object({
  projectId: projectIdSchema,
  domainId: domainIdSchema,
  pathPrefix: pathPrefixSchema,
  containerPort: containerPortSchema,
  tlsEnabled: checkboxSchema,
  redirectToId: redirectToSchema,
});
export type UpdateDomainInput = z.input<typeof updateDomainSchema>;

/** removeDomain, checkDomainDns. */
export const domainRefSchema = z.object({ projectId: projectIdSchema, domainId: domainIdSchema });
export type DomainRefInput = z.input<typeof domainRefSchema>;
