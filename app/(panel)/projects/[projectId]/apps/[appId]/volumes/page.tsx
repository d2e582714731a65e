// The application's Volumes tab: what it mounts, a form to create and attach a new volume, and one to mount a
// detached volume of the project. The forms and their actions are the project Volumes page's own.
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { listVolumesForApplication } from '@/lib/volumes/list';
import { AttachVolumeForm, CreateVolumeForm } from '@/components/volume-forms';
import { VolumeTable } from '@/components/volume-table';
import { loadApplicationPage } from '../_lib/load';

export default async function ApplicationVolumesPage({ params }: { params: Promise<{ projectId: string; appId: string }> }) {
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
      <section aria-labelledby="attached" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="attached" className="text-lg font-semibold">{`Volumes of ${app.name} (${attached.length})`}</h2>
          <Link href={allVolumes} className="text-sm text-muted hover:text-foreground hover:underline">
            All volumes of {app.project.name} →
          </Link>
        </div>
        <p className="max-w-prose text-sm text-muted">
          A volume keeps its data across deployments, mounted at one path in every container of this application. Detaching keeps the
          volume and its data in the project; only a detached volume can be deleted.
        </p>
        <VolumeTable
          projectId={app.project.id}
          volumes={attached}
          canWrite={canWrite}
          showOwner={false}
          empty={
            <EmptyState title="No volumes attached">
              {canWrite && !archived ? 'Create one below to keep data such as uploads or a database’s files.' : 'This application keeps no data in volumes.'}
            </EmptyState>
          }
        />
        {truncated && <p className="text-sm text-muted">Some volumes are not shown: see the project’s volumes page.</p>}
      </section>

      {!canWrite && <p className="text-sm text-muted">You can see this application’s volumes but not change them.</p>}
      {canWrite && archived && (
        <p className="text-sm text-muted">This application is archived: restore it to attach volumes. Its volumes can still be detached and deleted.</p>
      )}
      {canWrite && !archived && (
        <>
          <section aria-labelledby="create-volume" className="space-y-3">
            <h2 id="create-volume" className="text-lg font-semibold">
              Create and attach a volume
            </h2>
            <Card className="p-4">
              <CreateVolumeForm projectId={app.project.id} owner={owner} />
            </Card>
          </section>
          <section aria-labelledby="attach-volume" className="space-y-3">
            <h2 id="attach-volume" className="text-lg font-semibold">
              Attach an existing volume
            </h2>
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
          </section>
        </>
      )}
    </div>
  );
}
