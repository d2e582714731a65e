import type { Metadata } from 'next';

import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { Card } from '@/components/ui/card';
import { loadProjectPage } from '@/lib/projects/page';

import { CreateApplicationForm } from './_components/create-application-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New application' };

export default async function NewApplicationPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { project, allowed } = await loadProjectPage(projectId, 'application.create');
  return (
    <div className="max-w-3xl space-y-6">
      <header className="space-y-2">
        <Breadcrumbs
          items={[
            { label: 'Projects', href: '/' },
            { label: project.name, href: `/projects/${project.id}` },
            { label: 'New application' },
          ]}
        />
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
