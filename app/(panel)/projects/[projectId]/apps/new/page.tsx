import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Card } from '@/components/ui/card';
import { recordRefusal } from '@/lib/db/work';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { getRequestMeta } from '@/lib/http/request-meta';
import { loadProjectAccess } from '@/lib/projects/access';
import { isUuid } from '@/lib/validation/ids';
import { CreateApplicationForm } from './_components/create-application-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New application' };

export default async function NewApplicationPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const user = await requireUser();
  const db = await getDb();
  const project = await asUser(db, user.id, (tx) => loadProjectAccess(tx, projectId, user.id));
  if (!project || !can(user, 'project.read', project.resource)) {
    await recordRefusal(db, {
      userId: user.id,
      action: 'authz.denied',
      resourceType: 'project',
      resourceId: isUuid(projectId) ? projectId : null,
      details: { action: 'application.create' },
      ...(await getRequestMeta()),
    });
    notFound();
  }
  const allowed = can(user, 'application.create', project.resource);
  return (
    <div className="max-w-3xl space-y-6">
      <header className="space-y-2">
        <Breadcrumbs items={[{ label: 'Projects', href: '/' }, { label: project.name, href: `/projects/${project.id}` }, { label: 'New application' }]} />
        <h1 className="text-2xl font-semibold tracking-tight">New application</h1>
      </header>
      {allowed ? (
        <Card className="p-6">
          <CreateApplicationForm projectId={project.id} />
        </Card>
      ) : (
        <p role="status" className="rounded-md border border-border p-4 text-sm text-muted">
          You can view this project but not add applications to it: ask its owner or a team admin for the member role.
        </p>
      )}
    </div>
  );
}
