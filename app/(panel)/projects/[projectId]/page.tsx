import type { Metadata } from 'next';
import Link from 'next/link';
import { cache, type ReactNode } from 'react';

import { Badge } from '@/components/ui/badge';
import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { buttonClasses } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { Pager } from '@/components/ui/pager';
import { Section } from '@/components/ui/section';
import { can } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser, type Tx } from '@/lib/db/context';
import { hrefWith } from '@/lib/http/search-params';
import { loadProjectPageWith } from '@/lib/projects/page';
import { getProjectForUser, listWritableTeams, projectResource, type ProjectView } from '@/lib/projects/queries';
import { dashboardCursorSchema, dashboardTagSchema, encodeCursor } from '@/lib/validation/dashboard';

import { EditProjectForm, MoveProjectForm } from './_components/project-forms';
import { ApplicationsTable, ArchivedApplications, DatabasesTable, DomainsTable } from './_components/project-tables';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ projectId: string }>;
  searchParams?: Promise<Record<string, string | string[] | undefined>>;
};

// Shared by generateMetadata and the page: one read per request, as the user (row-level security applies); a
// project the user cannot see is a 404, audited.
const loadProject = cache(async (projectId: string, appsCursor?: string) => {
  // A bad or stale cursor shows the first page rather than an error: it only ever comes from our own link.
  const after = appsCursor ? dashboardCursorSchema.safeParse(appsCursor) : null;
  const applicationsAfter = after?.success ? after.data : undefined;
  const read = (tx: Tx, id: string, userId: string) => getProjectForUser(tx, id, userId, { applicationsAfter });
  const { user, project } = await loadProjectPageWith(projectId, 'project.read', read, projectResource);
  return { user, project, paged: Boolean(applicationsAfter) };
});

const appsCursorOf = async (searchParams: Props['searchParams']) => {
  const value = (await searchParams)?.apps;
  return typeof value === 'string' ? value : undefined;
};

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { project } = await loadProject((await params).projectId, await appsCursorOf(searchParams));
  return { title: project.name };
}

/** What the settings need, read only for the parts this user may use (so a viewer's page costs nothing more). */
async function loadSettings(user: SessionUser, project: ProjectView) {
  const resource = projectResource(project);
  const allowed = {
    update: can(user, 'project.update', resource),
    move: can(user, 'project.move_team', resource),
    delete: can(user, 'project.delete', resource),
  };
  if (!allowed.move) return { allowed, teams: [] };
  return asUser(await getDb(), user.id, async (tx) => {
    const teams = await listWritableTeams(tx, user.id);
    // The current team stays choosable (a no-op) even if the owner can no longer write in it.
    if (project.team && !teams.some((team) => team.id === project.team!.id)) {
      teams.unshift({ ...project.team, role: project.teamRole ?? 'viewer' });
    }
    return { allowed, teams };
  });
}

export default async function ProjectPage({ params, searchParams }: Props) {
  const { projectId } = await params;
  const { user, project, paged } = await loadProject(projectId, await appsCursorOf(searchParams));
  const canCreateApp = can(user, 'application.create', projectResource(project));
  const settings = await loadSettings(user, project);
  const readOnly = !settings.allowed.update && !canCreateApp;

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <Breadcrumbs items={[{ label: 'Projects', href: '/' }, { label: project.name }]} />
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{project.name}</h1>
          {readOnly && <Badge tone="muted">read-only</Badge>}
        </div>
        {project.description && (
          <p className="max-w-prose text-sm whitespace-pre-line text-muted">{project.description}</p>
        )}
        <ProjectDetails user={user} project={project} />
        {readOnly && (
          <p className="text-xs text-muted">
            You can read this project but not change it: ask its owner, or an owner or admin of its team, for a role
            that can write.
          </p>
        )}
      </header>

      <Section
        id="applications"
        title={`Applications (${project.applicationCount})`}
        action={
          canCreateApp && (
            <Link href={`/projects/${project.id}/apps/new`} className={buttonClasses('primary')}>
              New application
            </Link>
          )
        }
      >
        <ApplicationsTable project={project} canCreate={canCreateApp} />
        {(paged || project.nextApplications) && (
          <Pager
            firstHref={paged ? `/projects/${project.id}#applications` : undefined}
            nextHref={
              project.nextApplications
                ? `${hrefWith(`/projects/${project.id}`, { apps: encodeCursor(project.nextApplications) })}#applications`
                : undefined
            }
          />
        )}
        <ArchivedApplications project={project} />
      </Section>

      {/* Slipway creates neither databases nor domains today: their lists show only rows that exist (imported data). */}
      {project.databases.length > 0 && (
        <Section id="databases" title={`Databases (${project.databases.length})`}>
          <DatabasesTable project={project} />
        </Section>
      )}

      {project.domains.length > 0 && (
        <Section id="domains" title={`Domains (${project.domains.length})`}>
          <DomainsTable project={project} />
        </Section>
      )}

      <Section
        id="volumes"
        title={`Volumes (${project.volumeCount})`}
        action={
          <Link href={`/projects/${project.id}/volumes`} className={buttonClasses()}>
            Manage volumes
          </Link>
        }
      >
        <p className="text-sm text-muted">
          Persistent storage of this project&apos;s applications and databases, attached or not. Volumes are never
          deleted with an application or with the project.
        </p>
      </Section>

      {settings.allowed.update && (
        <Section id="settings" title="Settings">
          <Card className="space-y-8 p-5">
            <EditProjectForm
              projectId={project.id}
              name={project.name}
              description={project.description}
              tags={project.tags}
            />
            {settings.allowed.move && (
              <div className="space-y-2 border-t border-border pt-6">
                <h3 className="font-medium">Move to team</h3>
                <MoveProjectForm projectId={project.id} teamId={project.team?.id ?? null} teams={settings.teams} />
              </div>
            )}
          </Card>
        </Section>
      )}

      {settings.allowed.delete && (
        <Section id="danger-zone" title="Danger zone">
          <Card className="flex flex-wrap items-center justify-between gap-3 border-red-300 p-5 dark:border-red-900">
            <p className="text-sm text-muted">
              Deleting removes the project with its applications, databases, domains and history. The next page shows
              exactly what, and asks you to type the name.
            </p>
            <Link
              href={`/projects/${project.id}/delete`}
              className={buttonClasses('secondary', 'text-red-700 dark:text-red-400')}
            >
              Delete project…
            </Link>
          </Card>
        </Section>
      )}
    </div>
  );
}

function ProjectDetails({ user, project }: { user: SessionUser; project: ProjectView }) {
  return (
    <dl className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
      <Detail term="Owner">
        {project.owner.username}
        {project.owner.id === user.id && <span className="text-muted"> (you)</span>}
      </Detail>
      <Detail term="Team">
        {project.team ? (
          <>
            <Link href={`/teams/${project.team.id}`} className="font-medium hover:underline">
              {project.team.name}
            </Link>
            {project.teamRole && <span className="text-muted"> (you: {project.teamRole})</span>}
          </>
        ) : (
          <span className="text-muted">None (personal project)</span>
        )}
      </Detail>
      <Detail term="Tags">
        {project.tags.length === 0 ? (
          <span className="text-muted">—</span>
        ) : (
          <span className="inline-flex flex-wrap gap-1">
            {project.tags.map((tag) =>
              // A tag the dashboard filter cannot take is shown, not linked.
              dashboardTagSchema.safeParse(tag).success ? (
                <Link key={tag} href={hrefWith('/', { tag })} title={`Projects tagged ${tag}`}>
                  <Badge className="hover:bg-border">{tag}</Badge>
                </Link>
              ) : (
                <Badge key={tag}>{tag}</Badge>
              ),
            )}
          </span>
        )}
      </Detail>
      <Detail term="Updated">
        <DateTime value={project.updatedAt} />
      </Detail>
    </dl>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline gap-2">
      <dt className="text-xs font-medium text-muted">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
