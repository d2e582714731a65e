import { headers } from 'next/headers';
import { Suspense } from 'react';

import { APPLICATION_STATUSES, StatusBadge, type ApplicationStatus } from '@/components/status-badge';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Section } from '@/components/ui/section';
import { appPath, loadApplicationPage } from '@/lib/applications/page';
import { getApplicationView } from '@/lib/applications/queries';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { applicationAddresses } from '@/lib/deploy/endpoints';

import { ApplicationDetails } from './_components/application-details';
import { GeneralForm } from './_components/general-form';
import { PublishedPorts } from './_components/published-ports';

type Params = { params: Promise<{ projectId: string; appId: string }> };

export default async function GeneralPage({ params }: Params) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const view = await asUser(await getDb(), user.id, (tx) => getApplicationView(tx, app));
  const known = (APPLICATION_STATUSES as readonly string[]).includes(view.status);
  const status = known ? <StatusBadge status={view.status as ApplicationStatus} /> : <Badge>{view.status}</Badge>;
  const editable = can(user, 'application.update', app.project.resource) && !view.deletedAt;
  return (
    <div className="space-y-6">
      <Card className="p-6">
        <ApplicationDetails view={view} status={status} />
      </Card>
      {view.status === 'running' && (
        <Section id="general-ports" title="Published ports">
          <Card className="p-6">
            <Suspense fallback={<p className="text-sm text-muted">Asking Swarm for the published ports…</p>}>
              <PublishedPorts
                addresses={applicationAddresses(app, (await headers()).get('host'))}
                settingsHref={appPath(projectId, appId, 'settings')}
              />
            </Suspense>
          </Card>
        </Section>
      )}
      <Section id="general-edit" title="Name and replicas">
        {editable ? (
          <Card className="p-6">
            <GeneralForm applicationId={view.id} name={view.name} replicas={view.replicas} />
          </Card>
        ) : (
          <p className="text-sm text-muted">
            {view.deletedAt
              ? 'Archived applications cannot be changed: restore it from Settings first.'
              : 'You have read-only access to this application.'}
          </p>
        )}
      </Section>
    </div>
  );
}
