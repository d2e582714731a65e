// Deleting a project: its own page, so the cascade preview (a handful of counts and the blocking volumes) is read
// only when someone means to delete, not on every visit to the project. Anyone who may not delete it gets a 404,
// like a project they cannot see; the attempt is audited.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { Card } from '@/components/ui/card';
import { Section } from '@/components/ui/section';
import { AppError } from '@/lib/errors';
import { recordRefusal, runAsUser } from '@/lib/db/work';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { deletePreview } from '@/lib/projects/delete-preview';
import { isUuid } from '@/lib/validation/ids';
import { DeleteProjectForm } from '../_components/delete-project-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Delete project' };

export default async function DeleteProjectPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const user = await requireUser();
  const db = await getDb();
  const ctx = { actor: user, meta: await getRequestMeta() };
  // runAsUser audits the refusal that deletePreview raises (not_found or forbidden alike become a 404 here).
  const preview = isUuid(projectId)
    ? await runAsUser(db, ctx, (tx) => deletePreview(tx, ctx, projectId)).catch((error: unknown) => {
        if (error instanceof AppError) return null;
        throw error;
      })
    : null;
  if (!preview) {
    if (!isUuid(projectId)) {
      await recordRefusal(db, { userId: user.id, action: 'authz.denied', resourceType: 'project', details: { action: 'project.delete' }, ...ctx.meta });
    }
    notFound();
  }
  return (
    <div className="max-w-3xl space-y-6">
      <header className="space-y-2">
        <Breadcrumbs items={[{ label: 'Projects', href: '/' }, { label: preview.name, href: `/projects/${projectId}` }, { label: 'Delete' }]} />
        <h1 className="text-2xl font-semibold tracking-tight">Delete {preview.name}</h1>
      </header>
      <Section id="danger-zone" title="Danger zone">
        <Card className="border-red-300 p-5 dark:border-red-900">
          <DeleteProjectForm projectId={projectId} preview={preview} />
        </Card>
      </Section>
    </div>
  );
}
