'use client';

// Light, dark or the system's choice. The choice lives in a cookie so the server renders the right class on <html>
// (app/layout.tsx reads it); here we only write the cookie and flip the class for the page already shown.
import { useEffect, useState, type ReactNode } from 'react';

// The cookie's name comes as a prop from the layout (lib/validation/rules' THEME_COOKIE): importing the rules
// module here would ship all its constants to every page.
import type { Theme } from '@/lib/validation/rules';

const DARK_QUERY = '(prefers-color-scheme: dark)';

const icon = (children: ReactNode) => (
  <svg viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
    {children}
  </svg>
);

const OPTIONS: { value: Theme; label: string; icon: ReactNode }[] = [
  {
    value: 'light',
    label: 'Light',
    icon: icon(
      <>
        <circle cx="8" cy="8" r="3" />
        <path d="M8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1 1M12 12l1 1M3 13l1-1M12 4l1-1" />
      </>,
    ),
  },
  { value: 'dark', label: 'Dark', icon: icon(<path d="M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7Z" />) },
  {
    value: 'system',
    label: 'System',
    icon: icon(
      <>
        <rect x="1.5" y="2.5" width="13" height="9" rx="1" />
        <path d="M5.5 14h5M8 11.5V14" />
      </>,
    ),
  },
];

function storeTheme(cookieName: string, theme: Theme) {
  document.cookie = `${cookieName}=${theme}; path=/; max-age=31536000; samesite=lax`;
}

function applyTheme(theme: Theme) {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia(DARK_QUERY).matches);
  document.documentElement.classList.toggle('dark', dark);
}

export function ThemeToggle({ initial, cookieName }: { initial: Theme; cookieName: string }) {
  const [theme, setTheme] = useState(initial);

  // "System" follows the operating system while the page is open (and re-applies after a dev-mode remount).
  useEffect(() => {
    if (theme !== 'system') return;
    applyTheme('system');
    const media = window.matchMedia(DARK_QUERY);
    const follow = () => applyTheme('system');
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, [theme]);

  function choose(next: Theme) {
    storeTheme(cookieName, next);
    applyTheme(next);
    setTheme(next);
  }

  return (
    <div role="group" aria-label="Colour theme" className="flex rounded-md border border-border p-0.5">
      {OPTIONS.map((option) => (
        <button
          key={option.value}
          type="button"
          aria-pressed={theme === option.value}
          title={`${option.label} theme`}
          onClick={() => choose(option.value)}
          className="rounded p-1.5 text-muted hover:text-foreground aria-pressed:bg-subtle aria-pressed:text-foreground"
        >
          {option.icon}
          <span className="sr-only">{option.label}</span>
        </button>
      ))}
    </div>
  );
}
