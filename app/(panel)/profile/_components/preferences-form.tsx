'use client';

import { useActionState, useEffect, useState } from 'react';

import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { initialActionState } from '@/lib/actions/state';
import type { Preferences } from '@/lib/validation/preferences';
import { THEMES, type Theme } from '@/lib/validation/rules';

import { updatePreferencesAction } from '../actions';

const THEME_LABELS: Record<Theme, string> = { light: 'Light', dark: 'Dark', system: 'Same as the system' };

// The layout re-renders with the saved theme, but only the browser knows what "system" means right now.
function applyTheme(theme: string) {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
}

export function PreferencesForm({ initial }: { initial: Preferences }) {
  const [state, action, pending] = useActionState(updatePreferencesAction, initialActionState);
  const [blocked, setBlocked] = useState(false);
  const values = state.values;
  const theme = values?.theme ?? initial.theme;
  const email = values ? values.notifyEmail === 'on' : initial.notifications.email;
  const browser = values ? values.notifyBrowser === 'on' : initial.notifications.browser;
  const errors = state.fieldErrors ?? {};

  useEffect(() => {
    if (state.ok && state.values?.theme) applyTheme(state.values.theme);
  }, [state]);

  // Browser notifications need the browser's permission, asked when the person turns them on.
  async function askPermission(checked: boolean) {
    if (!checked || !('Notification' in window)) return setBlocked(false);
    const permission =
      Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    setBlocked(permission === 'denied');
  }

  return (
    <form action={action} className="max-w-sm space-y-5" noValidate>
      <FormMessage ok={state.ok} message={state.message} />
      <fieldset className="space-y-2" aria-describedby={errors.theme ? 'theme-error' : undefined}>
        <legend className="text-sm font-medium">Theme</legend>
        {THEMES.map((value) => (
          <label key={value} className="flex items-center gap-2 text-sm">
            <input type="radio" name="theme" value={value} defaultChecked={theme === value} className="accent-accent" />
            {THEME_LABELS[value]}
          </label>
        ))}
        {errors.theme && (
          <p id="theme-error" role="alert" className="text-xs text-red-700 dark:text-red-400">
            {errors.theme.join(' ')}
          </p>
        )}
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Notify me about deployments</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="notifyEmail" defaultChecked={email} className="accent-accent" />
          By email
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            name="notifyBrowser"
            defaultChecked={browser}
            className="accent-accent"
            onChange={(event) => void askPermission(event.currentTarget.checked)}
          />
          In this browser
        </label>
        {blocked && (
          <p className="text-xs text-amber-800 dark:text-amber-300">
            This browser blocks notifications from Slipway: allow them in its site settings, or they will not show.
          </p>
        )}
      </fieldset>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Saving…' : 'Save preferences'}
      </Button>
    </form>
  );
}
