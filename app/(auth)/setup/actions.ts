'use server';

// First run: no one is signed in (no user exists yet), so this is the one action outside formAction. The same
// schema as an administrator's "new user", with the role fixed: the first user is the super_admin.
import { redirect } from 'next/navigation';

import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { createFirstUser } from '@/lib/auth/setup';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { createUserFormSchema } from '@/lib/validation/user';

export async function setupAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form, ['username', 'email']); // the passwords are never echoed back
  const parsed = createUserFormSchema.safeParse({
    ...formValues(form, ['username', 'email', 'password', 'confirm']),
    role: 'super_admin',
  });
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await createFirstUser(await getDb(), parsed.data, await getRequestMeta());
  } catch (error) {
    return actionFailure(error, values);
  }
  redirect('/sign-in?setup=done');
}
