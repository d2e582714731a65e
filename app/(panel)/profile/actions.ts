'use server';

import { revalidatePath } from 'next/cache';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { runAsSystem, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { getRequestMeta } from '@/lib/http/request-meta';
import { changePassword, signOutEverywhere, updatePreferences } from '@/lib/users/admin';
import { changePasswordFormSchema, preferencesFormSchema } from '@/lib/validation/profile';
import { THEME_COOKIE } from '@/lib/validation/rules';

const ONE_YEAR = 365 * 24 * 3600;

/** A refusal that concerns one field is shown beside it. */
function refused(error: unknown, values?: Record<string, string>): ActionState {
  const field = error instanceof AppError ? error.options.field : undefined;
  if (field && error instanceof AppError) return { ok: false, fieldErrors: { [field]: [error.message] }, values };
  return actionFailure(error, values);
}

// can() and the audit row are inside each lib/users/admin.ts function, on the row it locks for the change;
// runAsSystem() audits a refusal in a transaction of its own.

export async function changePasswordAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  // Passwords are never echoed back into the form.
  const parsed = changePasswordFormSchema(user).safeParse(formValues(form, ['current', 'next', 'confirm']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    const ctx = { actor: user, meta: await getRequestMeta() };
    const { current, next } = parsed.data;
    await runAsSystem(await getDb(), (tx) => changePassword(tx, ctx, { userId: user.id, current, next }));
  } catch (error) {
    return refused(error);
  }
  // The new password ended every session of this account, this one included: sign in again with it.
  redirect('/sign-in');
}

export async function updatePreferencesAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['theme', 'notifyEmail', 'notifyBrowser']);
  const parsed = preferencesFormSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    const ctx = { actor: user, meta: await getRequestMeta() };
    await runAsSystem(await getDb(), (tx) => updatePreferences(tx, ctx, { userId: user.id, preferences: parsed.data }));
  } catch (error) {
    return actionFailure(error, values);
  }
  // This browser's cookie wins over the stored preference in the layout: set it too, so the choice applies now.
  (await cookies()).set(THEME_COOKIE, parsed.data.theme, { path: '/', maxAge: ONE_YEAR, sameSite: 'lax' });
  revalidatePath('/', 'layout');
  return { ok: true, message: 'Preferences saved.', values };
}

export async function signOutEverywhereAction(): Promise<ActionState> {
  const user = await requireUser();
  try {
    const ctx = { actor: user, meta: await getRequestMeta() };
    await runAsSystem(await getDb(), (tx) => signOutEverywhere(tx, ctx, user.id));
  } catch (error) {
    return actionFailure(error);
  }
  redirect('/sign-in');
}
