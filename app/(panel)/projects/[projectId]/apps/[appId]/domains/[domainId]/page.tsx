// A domain of the application: its certificate in use (issuer, source, expiry, days left, warnings), earlier ones,
// and for those allowed domain.write, a custom certificate's upload and removal. The private key is never read here.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { DateTime } from '@/components/ui/date-time';
import { Section } from '@/components/ui/section';
import { loadApplicationPage } from '@/lib/applications/page';
import { getDomainCertificates, type CertificateView } from '@/lib/certificates/queries';
import { getDb } from '@/lib/db';
import { runAsUser } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { getRequestMeta } from '@/lib/http/request-meta';
import { displayHostname } from '@/lib/validation/hostname';

import { UploadCertificateForm } from './_components/upload-certificate-form';
import { removeCertificateAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Domain' };

const SOURCE: Record<CertificateView['source'], string> = {
  acme: 'Issued by the proxy (ACME)',
  internal: "Issued by the proxy's own CA",
  custom: 'Uploaded',
};

function tone(cert: CertificateView): BadgeTone {
  if (cert.daysLeft < 7 || cert.renewalError) return 'red';
  if (cert.warnings.length) return 'amber';
  return 'green';
}

function CertificateDetails({ cert }: { cert: CertificateView }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm" data-testid="certificate">
      <dt className="text-muted">Issuer</dt>
      <dd data-testid="certificate-issuer">{cert.issuer}</dd>
      <dt className="text-muted">Source</dt>
      <dd>{SOURCE[cert.source]}</dd>
      <dt className="text-muted">Names</dt>
      <dd className="font-mono text-xs">{cert.subjects.join(', ') || '—'}</dd>
      <dt className="text-muted">Expires</dt>
      <dd data-testid="certificate-expiry">
        <DateTime value={cert.expiresAt} />{' '}
        <Badge tone={tone(cert)}>
          {cert.daysLeft < 0 ? 'expired' : `${cert.daysLeft} day${cert.daysLeft === 1 ? '' : 's'} left`}
        </Badge>
      </dd>
      <dt className="text-muted">SHA-256</dt>
      <dd className="font-mono text-xs break-all">{cert.fingerprint ?? '—'}</dd>
      {cert.checkedAt && (
        <>
          <dt className="text-muted">Last checked</dt>
          <dd>
            <DateTime value={cert.checkedAt} />
          </dd>
        </>
      )}
    </dl>
  );
}

export default async function DomainPage({
  params,
}: {
  params: Promise<{ projectId: string; appId: string; domainId: string }>;
}) {
  const { projectId, appId, domainId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const ctx = { actor: user, meta: await getRequestMeta() };
  const page = await runAsUser(await getDb(), ctx, (tx) => getDomainCertificates(tx, ctx, { domainId })).catch(
    (error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') notFound();
      throw error;
    },
  );
  // A domain of another application (or a database) of the project is not at this URL.
  if (page.domain.targetType !== 'application' || page.domain.targetId !== app.id) notFound();
  const { domain, current, previous, canWrite } = page;
  const display = displayHostname(domain.domain);

  return (
    <div className="space-y-8">
      <header className="space-y-1">
        <h2 className="text-xl font-semibold" data-testid="domain-name">
          {display}
        </h2>
        {display !== domain.domain && <p className="font-mono text-xs text-muted">{domain.domain}</p>}
      </header>

      <Section id="certificate" title="Certificate">
        <Card className="space-y-4 p-4">
          {!domain.tlsEnabled && (
            <p className="text-sm text-muted">HTTPS is off for this domain: the proxy serves it over plain HTTP.</p>
          )}
          {current ? (
            <>
              {current.warnings.length > 0 && (
                <ul
                  role="alert"
                  data-testid="certificate-warnings"
                  className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
                >
                  {current.warnings.map((warning) => (
                    <li key={warning}>{warning}</li>
                  ))}
                </ul>
              )}
              <CertificateDetails cert={current} />
              {canWrite && current.source === 'custom' && (
                <ConfirmForm
                  action={removeCertificateAction}
                  fields={{ domainId: domain.id }}
                  question={`Remove the uploaded certificate of ${display}? The proxy then issues one of its own.`}
                  label="Remove uploaded certificate"
                  pendingLabel="Removing…"
                  danger
                />
              )}
            </>
          ) : (
            <p className="text-sm text-muted" data-testid="no-certificate">
              No certificate yet. The proxy issues one once {display} resolves to this server and the domain is serving;
              it appears here within a minute of that.
            </p>
          )}
        </Card>
      </Section>

      {canWrite && (
        <Section
          id="upload-certificate"
          title="Upload a certificate"
          description="Use your own certificate instead of one the proxy issues: the chain and its unencrypted private key, in PEM."
        >
          <Card className="p-4">
            <UploadCertificateForm domainId={domain.id} domain={display} />
          </Card>
        </Section>
      )}

      {previous.length > 0 && (
        <Section id="previous-certificates" title="Earlier certificates">
          <ul className="space-y-2 text-sm">
            {previous.map((cert) => (
              <li key={cert.id} className="flex flex-wrap gap-x-3 text-muted">
                <span className="text-foreground">{cert.issuer}</span>
                <span>{SOURCE[cert.source]}</span>
                <span>
                  until <DateTime value={cert.expiresAt} />
                </span>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
