// Every mutation writes one audit_logs row: who, what, on which resource, from where. Details never hold a secret
// value: callers pass names and ids, and keys that look like secrets are masked here as a last line of defence.
import type { Tx } from '@/lib/db/context';

export const AUDIT_RESOURCE_TYPES = [
  'user',
  'team',
  'project',
  'application',
  'database',
  'deployment',
  'domain',
] as const;
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];

export type AuditEntry = {
  userId: string | null;
  /** `<resource>.<verb>`, e.g. project.create, user.role_change, auth.sign_in_failed */
  action: string;
  resourceType: AuditResourceType;
  resourceId?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
};

const SECRET_KEY = /(pass(word)?|secret|token|private|credential|api[_-]?key)/i;

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) ? '[redacted]' : scrub(v, depth + 1),
    ]),
  );
}

/** Writes the audit row inside the caller's transaction, so it lands if and only if the mutation does. */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      userId: entry.userId,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId ?? null,
      details: (scrub(entry.details ?? {}) ?? {}) as object,
      ipAddress: entry.ip ?? null,
      userAgent: entry.userAgent?.slice(0, 500) ?? null,
    },
  });
}
