import type { Metadata } from 'next';
import { cookies, headers } from 'next/headers';
import Link from 'next/link';
import type { ReactNode } from 'react';

import { SignOutButton } from '@/components/sign-out-button';
import { ThemeToggle } from '@/components/theme-toggle';
import { can } from '@/lib/auth/permissions';
import { getCurrentUser, type SessionUser } from '@/lib/auth/session';
import { THEME_COOKIE, THEMES, type Theme } from '@/lib/validation/rules';

import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Slipway', template: '%s · Slipway' },
  description: 'Self-hosted platform-as-a-service on Docker Swarm',
  // Static files in public/ (robots.txt keeps crawlers out; this keeps any page that is reached anyway unindexed).
  icons: {
    icon: [
      { url: '/favicon.ico', sizes: '16x16 32x32 48x48' },
      { url: '/icon.svg', type: 'image/svg+xml' },
    ],
    apple: '/apple-touch-icon.png',
  },
  robots: { index: false, follow: false },
};

// Only the browser knows the system's preference: for "system", decide before the first paint so dark screens
// never flash white. A choice of light or dark is rendered by the server as the class itself.
const SYSTEM_THEME_SCRIPT = `if(window.matchMedia('(prefers-color-scheme: dark)').matches)document.documentElement.classList.add('dark')`;

const isTheme = (value: unknown): value is Theme => (THEMES as readonly unknown[]).includes(value);

/** This browser's choice (cookie) first, then the signed-in user's saved preference. */
async function readTheme(user: SessionUser | null): Promise<Theme> {
  const value = (await cookies()).get(THEME_COOKIE)?.value;
  if (isTheme(value)) return value;
  return isTheme(user?.preferences.theme) ? user.preferences.theme : 'system';
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  const theme = await readTheme(user);
  // proxy.ts's nonce: the page's CSP allows no inline script without it.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    // The class on <html> may differ from the server's for "system" (set by the script): that is expected.
    <html lang="en" className={theme === 'dark' ? 'dark' : undefined} suppressHydrationWarning>
      <head>
        {theme === 'system' && <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SYSTEM_THEME_SCRIPT }} />}
      </head>
      <body className="min-h-screen">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-10 focus:rounded focus:bg-surface focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        <header className="border-b border-border bg-surface">
          <nav aria-label="Main" className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4">
            <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
              <svg viewBox="0 0 20 20" className="size-5 text-accent" fill="currentColor" aria-hidden="true">
                <path d="M2 13h16l-2.5 4h-11zM9 2.5 4 11h5zM10.5 4v7H15z" />
              </svg>
              Slipway
            </Link>
            {user && (
              <ul className="flex items-center gap-4 text-sm">
                <li>
                  <Link href="/" className="text-muted hover:text-foreground">
                    Dashboard
                  </Link>
                </li>
                <li>
                  <Link href="/teams" className="text-muted hover:text-foreground">
                    Teams
                  </Link>
                </li>
                {can(user, 'user.list', { type: 'platform' }) && (
                  <li>
                    <Link href="/users" className="text-muted hover:text-foreground">
                      Users
                    </Link>
                  </li>
                )}
                {can(user, 'audit.read', { type: 'platform' }) && (
                  <li>
                    <Link href="/audit" className="text-muted hover:text-foreground">
                      Audit log
                    </Link>
                  </li>
                )}
                {can(user, 'settings.manage', { type: 'platform' }) && (
                  <li>
                    <Link href="/settings/network" className="text-muted hover:text-foreground">
                      Network
                    </Link>
                  </li>
                )}
                {can(user, 'settings.manage', { type: 'platform' }) && (
                  <li>
                    <Link href="/settings/certificates" className="text-muted hover:text-foreground">
                      Certificates
                    </Link>
                  </li>
                )}
                {can(user, 'settings.manage', { type: 'platform' }) && (
                  <li>
                    <Link href="/settings/proxy" className="text-muted hover:text-foreground">
                      Proxy
                    </Link>
                  </li>
                )}
                <li>
                  <Link href="/settings/tokens" className="text-muted hover:text-foreground">
                    API tokens
                  </Link>
                </li>
              </ul>
            )}
            <div className="ml-auto flex items-center gap-2">
              <ThemeToggle key={theme} initial={theme} cookieName={THEME_COOKIE} />
              {user && (
                <>
                  <Link
                    href="/profile"
                    className="text-sm text-muted hover:text-foreground"
                    title={`${user.email} — profile`}
                  >
                    {user.username}
                  </Link>
                  <SignOutButton />
                </>
              )}
            </div>
          </nav>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-8">
          {children}
        </main>
      </body>
    </html>
  );
}
