'use server';

// The signed-in person's own account. can() and the audit row are inside each lib/users function, on the row it
// locks for the change; the work runs as the system (users has no row-level security) and formAction does the steps
// around it.
import { cookies } from 'next/headers';

import { formAction } from '@/lib/actions/form-action';
import { changePassword, signOutEverywhere, updatePreferences } from '@/lib/users/mutations';
import { preferencesFormSchema } from '@/lib/validation/preferences';
import { THEME_COOKIE } from '@/lib/validation/rules';
import { changePasswordFormSchema, signOutEverywhereFormSchema } from '@/lib/validation/user';

const ONE_YEAR = 365 * 24 * 3600;

export const changePasswordAction = formAction({
  // The password policy depends on who you are (your name and email are not allowed in it).
  schema: changePasswordFormSchema,
  keys: ['current', 'next', 'confirm', 'keepApiTokens'],
  echo: [], // passwords are never echoed back into the form
  run: (tx, ctx, { current, next, keepApiTokens }) =>
    changePassword(tx, ctx, { userId: ctx.actor.id, current, next, keepApiTokens }),
  as: 'system',
  // The new password ended every session of this account, this one included (and its API tokens unless kept): sign
  // in again with it.
  redirect: () => '/sign-in',
});

export const updatePreferencesAction = formAction({
  schema: preferencesFormSchema,
  keys: ['theme', 'notifyEmail', 'notifyBrowser'],
  run: (tx, ctx, preferences) => updatePreferences(tx, ctx, { userId: ctx.actor.id, preferences }),
  as: 'system',
  revalidate: [['/', 'layout']],
  success: async (_, { theme }, values) => {
    // This browser's cookie wins over the stored preference in the layout: set it too, so the choice applies now.
    (await cookies()).set(THEME_COOKIE, theme, { path: '/', maxAge: ONE_YEAR, sameSite: 'lax' });
    return { message: 'Preferences saved.', values };
  },
});

export const signOutEverywhereAction = formAction({
  schema: signOutEverywhereFormSchema,
  keys: ['keepApiTokens'],
  run: (tx, ctx, { keepApiTokens }) => signOutEverywhere(tx, ctx, ctx.actor.id, { keepApiTokens }),
  as: 'system',
  redirect: () => '/sign-in',
});
