import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';

import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { Section } from '@/components/ui/section';
import { deniedEntry } from '@/lib/audit/refusal';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { recordRefusal } from '@/lib/db/work';
import { forwardedForIgnored, requestMetaFromHeaders } from '@/lib/http/request-meta';
import { environmentOverride, isPrivateAddress, readTrustedProxies } from '@/lib/settings/trusted-proxies';

import { TrustedProxiesForm } from './_components/trusted-proxies-form';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Network settings' };

const code = 'rounded bg-subtle px-1 py-0.5 font-mono text-foreground';

export default async function NetworkSettingsPage() {
  const user = await requireUser();
  const requestHeaders = await headers();
  const meta = requestMetaFromHeaders(requestHeaders);
  if (!can(user, 'settings.manage', { type: 'platform' })) {
    // Not found rather than forbidden, like the audit log; the attempt is recorded.
    await recordRefusal(
      await getDb(),
      deniedEntry(
        { actor: user, meta },
        { action: 'settings.manage', resourceType: 'user', details: { path: '/settings/network' } },
      ),
    );
    notFound();
  }
  const db = await getDb();
  const view = await asSystem(db, (tx) => readTrustedProxies(tx, environmentOverride()));
  const ignored = forwardedForIgnored(requestHeaders);
  const unconfiguredProxy = ignored && isPrivateAddress(meta.ip);

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Network settings</h1>
        <p className="max-w-prose text-sm text-muted">
          The panel records who signs in, and throttles failed sign-ins, by the address a request comes from. Behind a
          reverse proxy every request comes from the proxy: list it here so the panel believes the{' '}
          <code className={code}>X-Forwarded-For</code> header it adds, and from no one else.
        </p>
      </header>

      <Section id="your-address" title="Your request">
        <Card className="space-y-3 p-4 text-sm">
          <p>
            The panel sees this page&apos;s request coming from{' '}
            <strong data-testid="seen-address">{meta.ip ?? 'an unknown address'}</strong>.
          </p>
          {unconfiguredProxy && (
            <p
              role="alert"
              data-testid="proxy-warning"
              className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
            >
              This request came from {meta.ip}, a private address, with an <code className={code}>X-Forwarded-For</code>{' '}
              header that was ignored because {meta.ip} is not a trusted proxy. If a reverse proxy runs in front of the
              panel, everyone appears to come from {meta.ip}: sign-in throttling and the audit log cannot tell people
              apart. Add the proxy&apos;s address below.
            </p>
          )}
        </Card>
      </Section>

      <Section
        id="trusted-proxies"
        title="Trusted proxies"
        description={
          view.applied.length ? (
            <>
              Applied now: <span data-testid="applied-proxies">{view.applied.join(', ')}</span>
            </>
          ) : (
            'Applied now: none, so every request is attributed to the address that connects.'
          )
        }
      >
        <Card className="space-y-3 p-4">
          {view.source === 'environment' ? (
            <p className="text-sm">
              Set by <code className={code}>SLIPWAY_TRUSTED_PROXIES</code> in the panel&apos;s environment, which
              overrides this setting. Change it there and restart the panel, or unset it to manage the list here
              {view.saved ? (
                <>
                  {' '}
                  (the list saved here is <code className={code}>{view.saved}</code>)
                </>
              ) : null}
              .
            </p>
          ) : (
            <>
              <TrustedProxiesForm saved={view.saved} />
              {view.savedAt && (
                <p className="text-xs text-muted">
                  Last changed <DateTime value={view.savedAt} />. Other panel processes apply a change within 30
                  seconds.
                </p>
              )}
            </>
          )}
        </Card>
      </Section>
    </div>
  );
}
