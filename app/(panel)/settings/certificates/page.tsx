// Certificate settings (administrators, settings.manage): the ACME account and CA the proxy issues certificates with,
// the Cloudflare API token for wildcard names (DNS-01), shown only as set or not set, and the panel's own domain.
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
import { requestMetaFromHeaders } from '@/lib/http/request-meta';
import { readAcmeSettingsView } from '@/lib/settings/acme';
import { displayHostname } from '@/lib/validation/hostname';

import { AcmeSettingsForm } from './_components/acme-settings-form';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Certificate settings' };

export default async function CertificateSettingsPage() {
  const user = await requireUser();
  if (!can(user, 'settings.manage', { type: 'platform' })) {
    // Not found rather than forbidden, like the other settings pages; the attempt is recorded.
    const meta = requestMetaFromHeaders(await headers());
    await recordRefusal(
      await getDb(),
      deniedEntry(
        { actor: user, meta },
        { action: 'settings.manage', resourceType: 'user', details: { path: '/settings/certificates' } },
      ),
    );
    notFound();
  }
  const view = await asSystem(await getDb(), readAcmeSettingsView);

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Certificate settings</h1>
        <p className="max-w-prose text-sm text-muted">
          The proxy gets a certificate for every domain with HTTPS on, from the certificate authority chosen here, and
          renews it on its own; the panel watches each one and warns 21, 7 and 1 days before it expires. Plain names are
          checked over HTTP (port 80 must reach this server); wildcard names need a DNS provider token.
        </p>
      </header>
      <Section id="acme" title="ACME account">
        <Card className="space-y-3 p-4">
          <AcmeSettingsForm
            saved={{
              acmeEmail: view.acmeEmail,
              acmeCa: view.acmeCa,
              acmeDirectoryUrl: view.acmeDirectoryUrl,
              cloudflareTokenSet: view.cloudflareTokenSet,
              panelDomain: displayHostname(view.panelDomain),
            }}
          />
          {view.savedAt && (
            <p className="text-xs text-muted">
              Last changed <DateTime value={view.savedAt} />.
            </p>
          )}
        </Card>
      </Section>
    </div>
  );
}
