// The project's volumes: every one, attached (to which application or database) or detached, with create, attach,
// detach and delete for those who may write. A project the reader cannot see is a 404, and the attempt is audited.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';

import { Badge } from '@/components/ui/badge';
import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Section } from '@/components/ui/section';
import { CreateVolumeForm } from '@/components/volume-forms';
import { VolumeTable } from '@/components/volume-table';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { runAsUser } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { getRequestMeta } from '@/lib/http/request-meta';
import { listVolumesForProject, VOLUME_LIST_LIMIT, type ProjectVolumes } from '@/lib/volumes/queries';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ projectId: string }> };

const loadVolumes = cache(async (projectId: string) => {
  const user = await requireUser();
  let data: ProjectVolumes | null = null;
  try {
    data = await runAsUser(await getDb(), { actor: user, meta: await getRequestMeta() }, (tx) =>
      listVolumesForProject(tx, { actor: user }, { projectId }),
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
  return { user, data };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { data } = await loadVolumes((await params).projectId);
  return { title: data ? `Volumes · ${data.project.name}` : 'Page not found' };
}

export default async function ProjectVolumesPage({ params }: Props) {
  const { projectId } = await params;
  const { user, data } = await loadVolumes(projectId);
  if (!data) notFound();
  const { project, volumes, truncated, targets } = data;
  const canWrite = can(user, 'volume.write', project.resource);
  const detached = volumes.filter((volume) => !volume.owner).length;

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <Breadcrumbs
          items={[
            { label: 'Projects', href: '/' },
            { label: project.name, href: `/projects/${project.id}` },
            { label: 'Volumes' },
          ]}
        />
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">Volumes</h1>
          {!canWrite && <Badge tone="muted">read-only</Badge>}
        </div>
        <p className="max-w-prose text-sm text-muted">
          Persistent storage of {project.name}. A volume is mounted by one application or database at a time, or is
          detached and keeps its data until deleted. An attached volume cannot be deleted: detach it first.
        </p>
      </header>

      <Section id="volumes" title={`All volumes (${volumes.length}${truncated ? '+' : ''}, ${detached} detached)`}>
        <VolumeTable
          projectId={project.id}
          volumes={volumes}
          canWrite={canWrite}
          showOwner
          targets={targets}
          empty={
            <EmptyState title="No volumes yet">
              {canWrite
                ? 'Create one below, or from an application’s Volumes tab, to keep data across deployments.'
                : 'Nobody has created a volume in this project yet.'}
            </EmptyState>
          }
        />
        {truncated && <p className="text-sm text-muted">Showing the first {VOLUME_LIST_LIMIT} volumes by name.</p>}
      </Section>

      {canWrite ? (
        <Section id="create-volume" title="Create a volume">
          <Card className="p-4">
            <CreateVolumeForm projectId={project.id} targets={targets} />
          </Card>
        </Section>
      ) : (
        <p className="text-sm text-muted">You can see this project’s volumes but not change them.</p>
      )}
    </div>
  );
}
