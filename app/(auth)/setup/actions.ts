'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { createFirstUser } from '@/lib/auth/setup';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { passwordSchemaFor } from '@/lib/validation/password';
import { emailSchema, usernameSchema } from '@/lib/validation/user';

const setupSchema = z
  .object({ username: usernameSchema, email: emailSchema, password: z.string(), confirm: z.string() })
  .superRefine((value, ctx) => {
    const check = passwordSchemaFor(value.username, value.email).safeParse(value.password);
    if (!check.success) for (const issue of check.error.issues) ctx.addIssue({ code: 'custom', path: ['password'], message: issue.message });
    if (value.password !== value.confirm) ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The two passwords differ.' });
  });

export async function setupAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = formValues(form, ['username', 'email']);
  const parsed = setupSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await createFirstUser(await getDb(), parsed.data, await getRequestMeta());
  } catch (error) {
    return actionFailure(error, values);
  }
  redirect('/sign-in?setup=done');
}
