// Who may do what to an account: can() (and canAssignRole for the role given) checked by the functions of
// lib/users against the row they locked, and every refusal carrying its authz.denied audit entry (recorded by the
// runner though the transaction rolls back).
import type { AuditEntry } from '@/lib/audit/write';
import { assertCan, canAssignRole, type Action, type PlatformRole, type ResourceFor } from '@/lib/auth/permissions';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';

export function userEntry(
  ctx: WorkContext,
  action: string,
  userId: string | null,
  details: Record<string, unknown>,
): AuditEntry {
  return {
    userId: ctx.actor.id,
    action,
    resourceType: 'user',
    resourceId: userId,
    details,
    ip: ctx.meta?.ip ?? null,
    userAgent: ctx.meta?.userAgent ?? null,
  };
}

function deny(ctx: WorkContext, action: string, target: string | null, message: string, extra: object = {}): never {
  const audit = userEntry(ctx, 'authz.denied', target, { action, target, ...extra });
  throw new AppError('forbidden', message, { audit });
}

export function authorize<A extends Action>(
  ctx: WorkContext,
  action: A,
  resource: ResourceFor<A>,
  target: string | null,
) {
  try {
    assertCan(ctx.actor, action, resource);
  } catch (error) {
    if (error instanceof AppError) deny(ctx, action, target, error.message);
    throw error;
  }
}

export function authorizeRole(ctx: WorkContext, action: Action, target: string | null, role: PlatformRole) {
  if (!canAssignRole(ctx.actor, role))
    deny(ctx, action, target, `You are not allowed to give the role ${role}.`, { role });
}

/** Only the account's owner, and only while the account is active. */
export function authorizeSelf(ctx: WorkContext, action: string, userId: string, what: string) {
  if (ctx.actor.disabled) deny(ctx, action, userId, 'This account is disabled.');
  if (ctx.actor.id !== userId) deny(ctx, action, userId, `You can only change your own ${what}.`);
}
