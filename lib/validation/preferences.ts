// A user's preferences (users.preferences): the profile page's form and what lib/users stores and reads back.
import { z } from 'zod';

import { checkboxSchema } from './checkbox';
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

export const preferencesFormSchema = z
  .object({ theme: themeSchema, notifyEmail: checkboxSchema, notifyBrowser: checkboxSchema })
  .transform(({ theme, notifyEmail, notifyBrowser }): Preferences => ({
    theme,
    notifications: { email: notifyEmail, browser: notifyBrowser },
  }));
