'use server';

import { revalidatePath } from 'next/cache';
import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { runAsSystem, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { getRequestMeta } from '@/lib/http/request-meta';
import { changeRole, createUser, setDisabled, signOutEverywhere } from '@/lib/users/admin';
import { changeRoleSchema, createUserFormSchema, setDisabledSchema, userTargetSchema } from '@/lib/validation/profile';

const USERS_PATH = '/users';

// Every action here acts on users: can() (with canAssignRole for roles) runs inside the lib/users/admin.ts function,
// against the target row it locks, which is also where the audit row is written; runAsSystem() audits refusals
// (authz.denied) in a transaction of their own.

/** A refusal that concerns one field is shown beside it. */
function refused(error: unknown, values?: Record<string, string>): ActionState {
  const field = error instanceof AppError ? error.options.field : undefined;
  if (field && error instanceof AppError) return { ok: false, fieldErrors: { [field]: [error.message] }, values };
  return actionFailure(error, values);
}

async function contextFor(actor: SessionUser) {
  return { actor, meta: await getRequestMeta() };
}

export async function createUserAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  // The passwords are never echoed back into the form.
  const values = formValues(form, ['username', 'email', 'role']);
  const parsed = createUserFormSchema.safeParse({ ...values, ...formValues(form, ['password', 'confirm']) });
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    const ctx = await contextFor(user);
    await runAsSystem(await getDb(), (tx) => createUser(tx, ctx, parsed.data));
  } catch (error) {
    return refused(error, values);
  }
  revalidatePath(USERS_PATH);
  const { username, role } = parsed.data;
  return {
    ok: true,
    message: `${username} can now sign in as ${role}. Give them the password over a safe channel and ask them to change it on their profile.`,
    values: { role },
  };
}

export async function changeRoleAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['userId', 'role']);
  const parsed = changeRoleSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let changed: boolean;
  try {
    const ctx = await contextFor(user);
    changed = await runAsSystem(await getDb(), (tx) => changeRole(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath(USERS_PATH);
  return {
    ok: true,
    message: changed ? `Now ${parsed.data.role}; their sessions have ended.` : `Already ${parsed.data.role}.`,
    values,
  };
}

export async function setDisabledAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = setDisabledSchema.safeParse(formValues(form, ['userId', 'disabled']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    const ctx = await contextFor(user);
    await runAsSystem(await getDb(), (tx) => setDisabled(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(USERS_PATH);
  return {
    ok: true,
    message: parsed.data.disabled ? 'Disabled: signed out, and their API tokens stop working.' : 'Enabled: they can sign in again.',
  };
}

export async function signOutUserAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = userTargetSchema.safeParse(formValues(form, ['userId']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    const ctx = await contextFor(user);
    await runAsSystem(await getDb(), (tx) => signOutEverywhere(tx, ctx, parsed.data.userId));
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(USERS_PATH);
  return { ok: true, message: 'Signed out everywhere.' };
}
