import { Card } from '@/components/ui/card';
import { FormMessage } from '@/components/ui/form-message';
import { Section } from '@/components/ui/section';
import { loadApplicationPage } from '@/lib/applications/page';
import { getApplicationView } from '@/lib/applications/queries';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { dockerConfigToForm } from '@/lib/validation/docker-config-form';

import { ArchiveControls } from '../_components/archive-controls';
import { DockerConfigForm } from '../_components/docker-config-form';

type Params = { params: Promise<{ projectId: string; appId: string }> };

export default async function SettingsPage({ params }: Params) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const view = await asUser(await getDb(), user.id, (tx) => getApplicationView(tx, app));
  const archived = Boolean(view.deletedAt);
  const canUpdate = can(user, 'application.update', app.project.resource);
  const canArchive = can(user, 'application.delete', app.project.resource);
  return (
    <div className="space-y-8">
      <Section id="runtime-heading" title="Runtime">
        <p className="text-sm text-muted">
          How Swarm runs the service: ports, command, health check, resources and networks. Replicas are set on the
          General tab.
          {archived && ' Archived: restore the application below to change these.'}
          {!canUpdate && ' You have read-only access.'}
        </p>
        {view.dockerConfigProblem && <FormMessage ok={false} message={view.dockerConfigProblem} />}
        <Card className="p-6">
          <DockerConfigForm
            applicationId={view.id}
            current={dockerConfigToForm(view.dockerConfig)}
            readOnly={!canUpdate || archived}
            command={view.type !== 'compose'}
          />
        </Card>
      </Section>
      <Section id="archive-heading" title={archived ? 'Restore' : 'Archive'}>
        <Card className="p-6">
          {canArchive ? (
            <ArchiveControls applicationId={view.id} name={view.name} archived={archived} />
          ) : (
            <p className="text-sm text-muted">
              Only people who may change this project can archive or restore its applications.
            </p>
          )}
        </Card>
      </Section>
    </div>
  );
}
