// Users and accounts: the setup page's first user, the profile page's password form and the users page's forms
// (create, role, disable, list filters). Actions parse form data with the *Form schemas; lib/users parses its typed
// input again with the plain ones, so every door refuses the same things.
import { z } from 'zod';

import { checkboxSchema } from './checkbox';
import { idSchema } from './ids';
import { passwordSchemaFor } from './password';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_-]{3,50}$/, 'Use 3–50 characters: lowercase letters, digits, "_" and "-".');

export const emailSchema = z
  .string()
  .trim()
  .max(255, 'At most 255 characters.')
  .pipe(z.email('Enter an email address like name@example.com.'));

export const platformRoleSchema = z.enum(['super_admin', 'admin', 'developer', 'viewer'], {
  message: 'Choose one of: super_admin, admin, developer, viewer.',
});

const MAX_PASSWORD = 1024;

/** "Keep my API tokens working": unticked (the default), tokens are revoked (D62). */
const keepApiTokensSchema = checkboxSchema;

/** The profile's "Sign out everywhere" form. */
export const signOutEverywhereFormSchema = z.object({ keepApiTokens: keepApiTokensSchema });

/** The password form: the current password, the new one (the password policy, for this user) and its repetition. */
export function changePasswordFormSchema(user: { username: string; email: string }) {
  return z
    .object({
      current: z
        .string()
        .min(1, 'Enter your current password.')
        .max(MAX_PASSWORD, 'That is not your current password.'),
      next: z.string(),
      confirm: z.string(),
      keepApiTokens: keepApiTokensSchema,
    })
    .superRefine((value, ctx) => {
      const check = passwordSchemaFor(user.username, user.email).safeParse(value.next);
      if (!check.success) {
        for (const issue of check.error.issues)
          ctx.addIssue({ code: 'custom', path: ['next'], message: issue.message });
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
    for (const issue of check.error.issues)
      ctx.addIssue({ code: 'custom', path: ['password'], message: issue.message });
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
