// Accounts: the profile page's forms (password, preferences) and the users page's (create, role, disable, list
// filters). Actions parse form data with the *Form schemas; lib/users/admin.ts parses its typed input again with the
// plain ones, so every door refuses the same things.
import { z } from 'zod';
import { idSchema } from './ids';
import { passwordSchemaFor } from '@/lib/validation/password';
import { emailSchema, platformRoleSchema, usernameSchema } from '@/lib/validation/user';

import { THEMES } from './rules';

export { THEMES, type Theme } from './rules';

export const themeSchema = z.enum(THEMES, { error: 'Choose a theme: light, dark or system.' });

/** What users.preferences holds for the profile page. Unknown keys are refused, never stored. */
export const preferencesSchema = z.strictObject({
  theme: themeSchema,
  notifications: z.strictObject({
    email: z.boolean({ error: 'Email notifications are on or off.' }),
    browser: z.boolean({ error: 'Browser notifications are on or off.' }),
  }),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const DEFAULT_PREFERENCES: Preferences = { theme: 'system', notifications: { email: true, browser: false } };

/** The stored preferences with defaults for whatever is missing or malformed (the column may predate this form). */
export function readPreferences(stored: unknown): Preferences {
  const raw = stored !== null && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const notifications =
    raw.notifications !== null && typeof raw.notifications === 'object'
      ? (raw.notifications as Record<string, unknown>)
      : {};
  const theme = themeSchema.safeParse(raw.theme);
  const flag = (value: unknown, fallback: boolean) => (typeof value === 'boolean' ? value : fallback);
  return {
    theme: theme.success ? theme.data : DEFAULT_PREFERENCES.theme,
    notifications: {
      email: flag(notifications.email, DEFAULT_PREFERENCES.notifications.email),
      browser: flag(notifications.browser, DEFAULT_PREFERENCES.notifications.browser),
    },
  };
}

// A checkbox sends "on" when ticked and nothing at all when not.
const checkboxSchema = z.preprocess((value) => value === 'on' || value === 'true', z.boolean());

export const preferencesFormSchema = z
  .object({ theme: themeSchema, notifyEmail: checkboxSchema, notifyBrowser: checkboxSchema })
  .transform(({ theme, notifyEmail, notifyBrowser }): Preferences => ({
    theme,
    notifications: { email: notifyEmail, browser: notifyBrowser },
  }));

const MAX_PASSWORD = 1024;

/** The password form: the current password, the new one (the password policy, for this user) and its repetition. */
export function changePasswordFormSchema(user: { username: string; email: string }) {
  return z
    .object({
      current: z.string().min(1, 'Enter your current password.').max(MAX_PASSWORD, 'That is not your current password.'),
      next: z.string(),
      confirm: z.string(),
    })
    .superRefine((value, ctx) => {
      const check = passwordSchemaFor(user.username, user.email).safeParse(value.next);
      if (!check.success) {
        for (const issue of check.error.issues) ctx.addIssue({ code: 'custom', path: ['next'], message: issue.message });
      } else if (value.next === value.current) {
        ctx.addIssue({ code: 'custom', path: ['next'], message: 'Choose a password different from the current one.' });
      }
      if (value.next !== value.confirm) {
        ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The two passwords differ.' });
      }
    });
}

const userFields = { username: usernameSchema, email: emailSchema, role: platformRoleSchema, password: z.string() };

function checkNewPassword(value: { username: string; email: string; password: string }, ctx: z.RefinementCtx) {
  const check = passwordSchemaFor(value.username, value.email).safeParse(value.password);
  if (!check.success) {
    for (const issue of check.error.issues) ctx.addIssue({ code: 'custom', path: ['password'], message: issue.message });
  }
}

/** A user an administrator creates: the password follows the same policy as everyone's. */
export const newUserSchema = z.object(userFields).superRefine(checkNewPassword);
export type NewUserInput = z.input<typeof newUserSchema>;
export type NewUser = z.output<typeof newUserSchema>;

export const createUserFormSchema = z.object({ ...userFields, confirm: z.string() }).superRefine((value, ctx) => {
  checkNewPassword(value, ctx);
  if (value.password !== value.confirm) {
    ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The two passwords differ.' });
  }
});

const userIdSchema = idSchema('user');

export const userTargetSchema = z.object({ userId: userIdSchema });

export const changeRoleSchema = z.object({ userId: userIdSchema, role: platformRoleSchema });
export type ChangeRole = z.output<typeof changeRoleSchema>;

export const setDisabledSchema = z.object({
  userId: userIdSchema,
  // Forms send strings; the typed API sends a boolean.
  disabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
    error: 'Say whether to disable or enable the account.',
  }),
});
export type SetDisabled = z.output<typeof setDisabledSchema>;

// An empty field of the GET form arrives as "": the same as leaving the filter out.
const blankAsUndefined = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

/** The users page's search params: a search over username and email, a role, and the keyset cursor. */
export const userListFiltersSchema = z.object({
  q: z.preprocess(
    blankAsUndefined,
    z.string({ error: 'Give one search text' }).max(100, 'Search for at most 100 characters').optional(),
  ),
  role: z.preprocess(blankAsUndefined, platformRoleSchema.optional()),
  after: z.preprocess(
    blankAsUndefined,
    z
      .string({ error: 'This page link is not valid: start again from the first page.' })
      .regex(/^[a-z0-9_-]{1,255}$/, 'This page link is not valid: start again from the first page.')
      .optional(),
  ),
});
export type UserListFilterInput = z.input<typeof userListFiltersSchema>;
export type UserListFilters = z.output<typeof userListFiltersSchema>;
