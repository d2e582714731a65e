// Deleting a project: its own page, so the cascade preview (a handful of counts and the blocking volumes) is read
// only when someone means to delete, not on every visit to the project. Anyone who may not delete it gets a 404,
// like a project they cannot see; the attempt is audited.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { Card } from '@/components/ui/card';
import { Section } from '@/components/ui/section';
import { getDb } from '@/lib/db';
import { runAsUser } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { deletePreview } from '@/lib/projects/delete-preview';
import { requireProjectPage } from '@/lib/projects/page';

import { DeleteProjectForm } from '../_components/delete-project-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Delete project' };

export default async function DeleteProjectPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { ctx } = await requireProjectPage(projectId, 'project.delete');
  // deletePreview checks project.delete again inside its transaction; a refusal there (the role changed meanwhile)
  // is audited by runAsUser and is the same 404.
  const preview = await runAsUser(await getDb(), ctx, (tx) => deletePreview(tx, ctx, projectId)).catch(
    (error: unknown) => {
      if (error instanceof AppError) notFound();
      throw error;
    },
  );
  return (
    <div className="max-w-3xl space-y-6">
      <header className="space-y-2">
        <Breadcrumbs
          items={[
            { label: 'Projects', href: '/' },
            { label: preview.name, href: `/projects/${projectId}` },
            { label: 'Delete' },
          ]}
        />
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
