// The application's Volumes tab: what it mounts, a form to create and attach a new volume, and one to mount a
// detached volume of the project. The forms and their actions are the project Volumes page's own.
import Link from 'next/link';

import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Section } from '@/components/ui/section';
import { AttachVolumeForm, CreateVolumeForm } from '@/components/volume-forms';
import { VolumeTable } from '@/components/volume-table';
import { loadApplicationPage } from '@/lib/applications/page';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { listVolumesForApplication } from '@/lib/volumes/queries';

export default async function ApplicationVolumesPage({
  params,
}: {
  params: Promise<{ projectId: string; appId: string }>;
}) {
  const { projectId, appId } = await params;
  // The layout's loader has already checked (and audited) access; a refusal here would be a race with a removal.
  const { user, app } = await loadApplicationPage(projectId, appId);
  const { attached, attachable, truncated } = await asUser(await getDb(), user.id, (tx) =>
    listVolumesForApplication(tx, { actor: user }, { applicationId: app.id }),
  );
  const canWrite = can(user, 'volume.write', app.project.resource);
  const archived = app.deletedAt !== null;
  const owner = `application:${app.id}`;
  const allVolumes = `/projects/${app.project.id}/volumes`;

  return (
    <div className="space-y-8">
      <Section
        id="attached"
        title={`Volumes of ${app.name} (${attached.length})`}
        action={
          <Link href={allVolumes} className="text-sm text-muted hover:text-foreground hover:underline">
            All volumes of {app.project.name} →
          </Link>
        }
      >
        <p className="max-w-prose text-sm text-muted">
          A volume keeps its data across deployments, mounted at one path in every container of this application.
          Detaching keeps the volume and its data in the project; only a detached volume can be deleted.
        </p>
        <VolumeTable
          projectId={app.project.id}
          volumes={attached}
          canWrite={canWrite}
          showOwner={false}
          empty={
            <EmptyState title="No volumes attached">
              {canWrite && !archived
                ? 'Create one below to keep data such as uploads or a database’s files.'
                : 'This application keeps no data in volumes.'}
            </EmptyState>
          }
        />
        {truncated && <p className="text-sm text-muted">Some volumes are not shown: see the project’s volumes page.</p>}
      </Section>

      {!canWrite && <p className="text-sm text-muted">You can see this application’s volumes but not change them.</p>}
      {canWrite && archived && (
        <p className="text-sm text-muted">
          This application is archived: restore it to attach volumes. Its volumes can still be detached and deleted.
        </p>
      )}
      {canWrite && !archived && (
        <>
          <Section id="create-volume" title="Create and attach a volume">
            <Card className="p-4">
              <CreateVolumeForm projectId={app.project.id} owner={owner} />
            </Card>
          </Section>
          <Section id="attach-volume" title="Attach an existing volume">
            {attachable.length === 0 ? (
              <p className="text-sm text-muted">
                The project has no detached volumes. Volumes detached from other applications show up here and on the{' '}
                <Link href={allVolumes} className="underline">
                  project’s volumes page
                </Link>
                .
              </p>
            ) : (
              <Card className="p-4">
                <AttachVolumeForm projectId={app.project.id} owner={owner} volumes={attachable} />
              </Card>
            )}
          </Section>
        </>
      )}
    </div>
  );
}
