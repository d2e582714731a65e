import type { Metadata } from 'next';

import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { listWritableTeams } from '@/lib/projects/queries';

import { CreateProjectForm } from './_components/create-project-form';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'New project' };

export default async function NewProjectPage() {
  const user = await requireUser();
  const allowed = can(user, 'project.create', { type: 'platform' });
  const teams = allowed ? await asUser(await getDb(), user.id, (tx) => listWritableTeams(tx, user.id)) : [];
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <Breadcrumbs items={[{ label: 'Projects', href: '/' }, { label: 'New project' }]} />
        <h1 className="text-2xl font-semibold tracking-tight">New project</h1>
        <p className="max-w-prose text-sm text-muted">
          A project groups applications, databases, domains and volumes. You become its owner; put it in a team to work
          on it together.
        </p>
      </header>
      {allowed ? (
        <Card className="p-5">
          <CreateProjectForm teams={teams} />
        </Card>
      ) : (
        <EmptyState title="Viewers cannot create projects">
          Your account can read the projects shared with you but not create any. Ask an administrator for a developer
          account, or a team owner to invite you to their team.
        </EmptyState>
      )}
    </div>
  );
}
