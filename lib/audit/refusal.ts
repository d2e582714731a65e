// The one shape of a refusal in the audit log (authz.denied): who tried, what they tried (the permission's action),
// on what, from where. Domain access checks put it on the AppError they throw (runAsUser records it though the
// transaction rolls back); pages that answer 404 record it with recordRefusal.
import type { Action } from '@/lib/auth/permissions';
import type { RequestMeta } from '@/lib/http/request-meta';
import { isUuid } from '@/lib/validation/ids';

import type { AuditEntry, AuditResourceType } from './write';

export type Denied = {
  action: Action;
  resourceType: AuditResourceType;
  /** As it arrived: an id that is not a uuid (a mistyped link) is recorded as null, the attempt itself is kept. */
  resourceId?: string | null;
  /** More context (the project a volume was looked up in, the page path). */
  details?: Record<string, unknown>;
};

export function deniedEntry(ctx: { actor: { id: string }; meta?: RequestMeta }, denied: Denied): AuditEntry {
  return {
    userId: ctx.actor.id,
    action: 'authz.denied',
    resourceType: denied.resourceType,
    resourceId: isUuid(denied.resourceId) ? denied.resourceId : null,
    details: { ...denied.details, action: denied.action },
    ...ctx.meta,
  };
}
