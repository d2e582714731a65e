import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache, type ReactNode } from 'react';
import { APPLICATION_STATUSES, StatusBadge, type ApplicationStatus } from '@/components/status-badge';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { DataTable } from '@/components/ui/table';
import { EmptyState } from '@/components/ui/empty-state';
import { recordAudit } from '@/lib/audit/write';
import { can } from '@/lib/auth/permissions';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asSystem, asUser } from '@/lib/db/context';
import { getRequestMeta } from '@/lib/http/request-meta';
import { getProjectForUser, isProjectId, projectResource, type ProjectView } from '@/lib/projects/project';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ projectId: string }> };

// Shared by generateMetadata and the page: one read per request, as the user (row-level security applies).
const loadProject = cache(async (projectId: string) => {
  const user = await requireUser();
  const project = isProjectId(projectId)
    ? await asUser(await getDb(), user.id, (tx) => getProjectForUser(tx, projectId, user.id))
    : null;
  return { user, project };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { project } = await loadProject((await params).projectId);
  return { title: project ? project.name : 'Page not found' };
}

/** Another user's project looks exactly like one that does not exist; the attempt is still audited. */
async function recordDenied(user: SessionUser, projectId: string) {
  const meta = await getRequestMeta();
  await asSystem(await getDb(), (tx) =>
    recordAudit(tx, {
      userId: user.id,
      action: 'authz.denied',
      resourceType: 'project',
      resourceId: isProjectId(projectId) ? projectId : null,
      details: { action: 'project.read', projectId: projectId.slice(0, 100) },
      ...meta,
    }),
  ).catch((error: unknown) => console.error('[slipway] could not record a refusal in the audit log', error));
}

export default async function ProjectPage({ params }: Props) {
  const { projectId } = await params;
  const { user, project } = await loadProject(projectId);
  if (!project || !can(user, 'project.read', projectResource(project))) {
    await recordDenied(user, projectId);
    notFound();
  }

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <nav aria-label="Breadcrumb" className="text-sm text-muted">
          <Link href="/" className="hover:text-foreground">
            Projects
          </Link>{' '}
          / <span className="text-foreground">{project.name}</span>
        </nav>
        <h1 className="text-2xl font-semibold tracking-tight">{project.name}</h1>
        {project.description && <p className="max-w-prose text-sm whitespace-pre-line text-muted">{project.description}</p>}
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
                {project.tags.map((tag) => (
                  <Badge key={tag}>{tag}</Badge>
                ))}
              </span>
            )}
          </Detail>
          <Detail term="Updated">
            <DateTime value={project.updatedAt} />
          </Detail>
        </dl>
        <p className="text-xs text-muted">Read-only for now: editing a project arrives in a later release.</p>
      </header>

      <Section id="applications" title={`Applications (${project.applications.length})`}>
        {project.applications.length === 0 ? (
          <EmptyState title="No applications yet" />
        ) : (
          <DataTable headings={['Name', 'Type', 'Status', 'Replicas', 'Updated']}>
            {project.applications.map((app) => (
              <tr key={app.id}>
                <th scope="row" className="px-4 py-3 font-medium">{app.name}</th>
                <td className="px-4 py-3 text-muted">{app.type}</td>
                <td className="px-4 py-3"><ApplicationStatusBadge status={app.status} /></td>
                <td className="px-4 py-3 tabular-nums">{app.replicas}</td>
                <td className="px-4 py-3 whitespace-nowrap text-muted"><DateTime value={app.updatedAt} /></td>
              </tr>
            ))}
          </DataTable>
        )}
      </Section>

      <Section id="databases" title={`Databases (${project.databases.length})`}>
        {project.databases.length === 0 ? (
          <EmptyState title="No databases yet" />
        ) : (
          <DataTable headings={['Name', 'Type', 'Version', 'Status']}>
            {project.databases.map((db) => (
              <tr key={db.id}>
                <th scope="row" className="px-4 py-3 font-medium">{db.name}</th>
                <td className="px-4 py-3 text-muted">{db.type}</td>
                <td className="px-4 py-3 text-muted">{db.version ?? 'latest'}</td>
                <td className="px-4 py-3"><Badge tone={DATABASE_TONES[db.status] ?? 'neutral'}>{db.status}</Badge></td>
              </tr>
            ))}
          </DataTable>
        )}
      </Section>

      <Section id="domains" title={`Domains (${project.domains.length})`}>
        {project.domains.length === 0 ? (
          <EmptyState title="No domains yet" />
        ) : (
          <DataTable headings={['Domain', 'Routes to', 'TLS']}>
            {project.domains.map((domain) => (
              <DomainRow key={domain.id} domain={domain} />
            ))}
          </DataTable>
        )}
      </Section>
    </div>
  );
}

const DATABASE_TONES: Partial<Record<string, BadgeTone>> = { running: 'green', initializing: 'blue', failed: 'red', stopped: 'neutral' };

function ApplicationStatusBadge({ status }: { status: string }) {
  const known = (APPLICATION_STATUSES as readonly string[]).includes(status);
  return known ? <StatusBadge status={status as ApplicationStatus} /> : <Badge>{status}</Badge>;
}

function DomainRow({ domain }: { domain: ProjectView['domains'][number] }) {
  return (
    <tr>
      <th scope="row" className="px-4 py-3 font-mono text-xs font-medium">{domain.domain}</th>
      <td className="px-4 py-3">
        <span className="text-muted">{domain.targetType}</span> {domain.targetName ?? <span className="text-muted">(missing)</span>}
      </td>
      <td className="px-4 py-3">{domain.tlsEnabled ? <Badge tone="green">on</Badge> : <Badge tone="amber">off</Badge>}</td>
    </tr>
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

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** Rendered on the server in UTC, so every reader sees the same time. */
function DateTime({ value }: { value: Date }) {
  const iso = value.toISOString();
  return <time dateTime={iso}>{`${iso.slice(0, 16).replace('T', ' ')} UTC`}</time>;
}
