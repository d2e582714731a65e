// The application's Domains tab: the names that reach it through the edge proxy (with their redirects, whether the
// proxy serves them yet, and their certificates), a form to add one, and per name: edit, remove, check DNS.
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Section } from '@/components/ui/section';
import { appPath, loadApplicationPage } from '@/lib/applications/page';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { listDomainsForApplication } from '@/lib/domains/queries';

import { AddDomainForm } from './_components/add-domain-form';
import { DomainTable } from './_components/domain-table';

export default async function ApplicationDomainsPage({
  params,
}: {
  params: Promise<{ projectId: string; appId: string }>;
}) {
  const { projectId, appId } = await params;
  // The layout's loader has already checked (and audited) access; a refusal here would be a race with a removal.
  const { user, app } = await loadApplicationPage(projectId, appId);
  const { domains, truncated } = await asUser(await getDb(), user.id, (tx) =>
    listDomainsForApplication(tx, { actor: user }, { applicationId: app.id }),
  );
  const canWrite = can(user, 'domain.write', app.project.resource);
  const archived = app.deletedAt !== null;
  const renderedAt = new Date().getTime();

  return (
    <div className="space-y-8">
      <Section id="domains" title={`Domains of ${app.name} (${domains.length})`}>
        <p className="max-w-prose text-sm text-muted">
          Each domain reaches this application through the edge proxy. Point its DNS (an A or AAAA record) at this
          server; “pending” means the proxy has not loaded the latest change yet.
        </p>
        {domains.length === 0 ? (
          <EmptyState title="No domains">
            {canWrite && !archived
              ? 'Add one below to reach this application by name.'
              : 'This application has no domains.'}
          </EmptyState>
        ) : (
          <DomainTable
            projectId={app.project.id}
            domains={domains}
            canWrite={canWrite}
            basePath={appPath(app.project.id, app.id, 'domains')}
            now={renderedAt}
          />
        )}
        {truncated && <p className="text-sm text-muted">Some domains are not shown.</p>}
      </Section>

      {!canWrite && <p className="text-sm text-muted">You can see this application’s domains but not change them.</p>}
      {canWrite && archived && (
        <p className="text-sm text-muted">This application is archived: restore it to add domains.</p>
      )}
      {canWrite && !archived && (
        <Section id="add-domain" title="Add a domain">
          <Card className="p-4">
            <AddDomainForm projectId={app.project.id} applicationId={app.id} />
          </Card>
        </Section>
      )}
    </div>
  );
}
