// Managing accounts: administrators over users, and everyone over their own account. Each function runs in the
// caller's transaction, checks can() against the row it has just locked (so a concurrent change cannot slip between
// the check and the write), and writes its audit row in that same transaction. Changing a password, a role or the
// disabled state ends the user's sessions through the users_bump_session_version trigger; signOutEverywhere bumps
// session_version itself. A password change, signing out everywhere and disabling also revoke the user's API tokens
// (the first two unless the person keeps them; a role change keeps them: D62). Call them through runAsSystem()
// (users has no row-level security; can() is checked inside each function): a refusal is audited in a transaction of
// its own, because the one that found it is rolled back.
import { recordAudit } from '@/lib/audit/write';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import type { PlatformRole } from '@/lib/auth/permissions';
import { revokeUserApiTokens } from '@/lib/auth/tokens';
import type { Tx } from '@/lib/db/context';
import { isUniqueViolation } from '@/lib/db/errors';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/validation/ids';
import { passwordSchemaFor } from '@/lib/validation/password';
import { preferencesSchema, type Preferences } from '@/lib/validation/preferences';
import { changeRoleSchema, newUserSchema, setDisabledSchema, type NewUserInput } from '@/lib/validation/user';

import { authorize, authorizeRole, authorizeSelf, userEntry } from './access';

type LockedUser = {
  id: string;
  username: string;
  email: string;
  role: PlatformRole;
  disabled_at: Date | null;
  password_hash: string | null;
};

/** The user row, locked until the transaction ends. */
async function lockUser(tx: Tx, id: string): Promise<LockedUser> {
  const rows = isUuid(id)
    ? await tx.$queryRaw<LockedUser[]>`
        SELECT id, username, email, role, disabled_at, password_hash FROM users WHERE id = ${id}::uuid FOR UPDATE`
    : [];
  if (!rows[0]) throw new AppError('not_found', 'This user no longer exists: reload the page.');
  return rows[0];
}

const userResource = (user: LockedUser) => ({ type: 'user' as const, id: user.id, role: user.role });

/** Whether the user's API tokens were kept or revoked (and how many), as their audit row says it. */
export type ApiAccessOutcome = { apiAccess: 'kept' } | { apiAccess: 'revoked'; revokedCount: number };

/**
 * Revokes the user's live API tokens unless they are to be kept. The keys avoid "token": the audit writer redacts any
 * key that contains it.
 */
async function endApiAccess(tx: Tx, userId: string, keep: boolean): Promise<ApiAccessOutcome> {
  if (keep) return { apiAccess: 'kept' };
  return { apiAccess: 'revoked', revokedCount: await revokeUserApiTokens(tx, userId) };
}

/** An administrator creates a password account with a role they may give. Throws ZodError on invalid input. */
export async function createUser(tx: Tx, ctx: WorkContext, input: NewUserInput): Promise<{ id: string }> {
  authorize(ctx, 'user.create', { type: 'platform' }, null);
  const data = newUserSchema.parse(input);
  authorizeRole(ctx, 'user.create', null, data.role);
  const taken = await tx.$queryRaw<{ same_username: boolean }[]>`
    SELECT username = ${data.username} AS same_username FROM users
     WHERE username = ${data.username} OR lower(email) = lower(${data.email})
     ORDER BY 1 DESC LIMIT 1`;
  const clash = (field: 'username' | 'email') =>
    new AppError(
      'conflict',
      field === 'username'
        ? `The username "${data.username}" is taken: choose another.`
        : 'Another account already uses this email address.',
      { field },
    );
  if (taken[0]) throw clash(taken[0].same_username ? 'username' : 'email');

  const passwordHash = await hashPassword(data.password);
  const user = await tx.user
    .create({
      data: { username: data.username, email: data.email, role: data.role, passwordHash },
      select: { id: true },
    })
    .catch((error: unknown) => {
      // Someone created the same name in the meantime.
      throw isUniqueViolation(error) ? clash('username') : error;
    });
  await recordAudit(tx, userEntry(ctx, 'user.create', user.id, { username: data.username, role: data.role }));
  return user;
}

/** Gives another user a role; a no-op (nothing written) when they already have it. Returns whether it changed. */
export async function changeRole(
  tx: Tx,
  ctx: WorkContext,
  input: { userId: string; role: PlatformRole },
): Promise<boolean> {
  const { userId, role } = changeRoleSchema.parse(input);
  const user = await lockUser(tx, userId);
  authorize(ctx, 'user.update_role', userResource(user), user.id);
  authorizeRole(ctx, 'user.update_role', user.id, role);
  if (user.role === role) return false;
  await tx.user.update({ where: { id: user.id }, data: { role } });
  await recordAudit(
    tx,
    userEntry(ctx, 'user.role_change', user.id, { username: user.username, from: user.role, to: role }),
  );
  return true;
}

/**
 * Disables (or re-enables) another user's account; a no-op when it is already so. Returns whether it changed.
 * Disabling revokes their API tokens, so enabling the account again does not bring them back.
 */
export async function setDisabled(
  tx: Tx,
  ctx: WorkContext,
  input: { userId: string; disabled: boolean },
): Promise<boolean> {
  const { userId, disabled } = setDisabledSchema.parse(input);
  const user = await lockUser(tx, userId);
  authorize(ctx, 'user.disable', userResource(user), user.id);
  if ((user.disabled_at !== null) === disabled) return false;
  await tx.user.update({ where: { id: user.id }, data: { disabledAt: disabled ? new Date() : null } });
  const apiAccess = disabled ? await endApiAccess(tx, user.id, false) : {};
  await recordAudit(
    tx,
    userEntry(ctx, disabled ? 'user.disable' : 'user.enable', user.id, { username: user.username, ...apiAccess }),
  );
  return true;
}

/**
 * Ends every session of the user (their own, or another's for an administrator) on its next request, and revokes
 * their API tokens unless `keepApiTokens`.
 */
export async function signOutEverywhere(
  tx: Tx,
  ctx: WorkContext,
  userId: string,
  { keepApiTokens = false }: { keepApiTokens?: boolean } = {},
): Promise<ApiAccessOutcome> {
  const user = await lockUser(tx, userId);
  authorize(ctx, 'user.sign_out_everywhere', userResource(user), user.id);
  await tx.$executeRaw`UPDATE users SET session_version = session_version + 1 WHERE id = ${user.id}::uuid`;
  const apiAccess = await endApiAccess(tx, user.id, keepApiTokens);
  const details = user.id === ctx.actor.id ? { self: true } : { username: user.username };
  await recordAudit(tx, userEntry(ctx, 'user.sign_out_everywhere', user.id, { ...details, ...apiAccess }));
  return apiAccess;
}

/**
 * Changes the actor's own password after checking the current one, and revokes their API tokens unless
 * `keepApiTokens`. Throws ZodError when `next` fails the password policy. A wrong current password changes nothing
 * and is audited as a failure.
 */
export async function changePassword(
  tx: Tx,
  ctx: WorkContext,
  input: { userId: string; current: string; next: string; keepApiTokens?: boolean },
): Promise<ApiAccessOutcome> {
  authorizeSelf(ctx, 'user.password_change', input.userId, 'password');
  const user = await lockUser(tx, input.userId);
  if (user.password_hash === null) {
    throw new AppError('invalid', 'This account signs in with GitHub: it has no password to change.');
  }
  if (!(await verifyPassword(input.current, user.password_hash))) {
    const audit = userEntry(ctx, 'user.password_change_failed', user.id, { reason: 'wrong_current' });
    throw new AppError('invalid', 'This is not your current password.', { field: 'current', audit });
  }
  const passwordHash = await hashPassword(passwordSchemaFor(user.username, user.email).parse(input.next));
  await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
  const apiAccess = await endApiAccess(tx, user.id, input.keepApiTokens ?? false);
  await recordAudit(tx, userEntry(ctx, 'user.password_change', user.id, apiAccess));
  return apiAccess;
}

/** Saves the actor's own preferences, keeping any other keys users.preferences holds. Throws ZodError when invalid. */
export async function updatePreferences(
  tx: Tx,
  ctx: WorkContext,
  input: { userId: string; preferences: Preferences },
): Promise<Preferences> {
  authorizeSelf(ctx, 'user.preferences_update', input.userId, 'preferences');
  const preferences = preferencesSchema.parse(input.preferences);
  const user = await lockUser(tx, input.userId);
  await tx.$executeRaw`
    UPDATE users SET preferences = preferences || ${JSON.stringify(preferences)}::jsonb WHERE id = ${user.id}::uuid`;
  await recordAudit(tx, userEntry(ctx, 'user.preferences_update', user.id, preferences));
  return preferences;
}
