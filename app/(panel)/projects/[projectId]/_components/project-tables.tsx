// The project's applications, databases and domains as tables (server components: plain data in, no secrets).
import Link from 'next/link';

import { APPLICATION_STATUSES, StatusBadge, type ApplicationStatus } from '@/components/status-badge';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { DataTable } from '@/components/ui/table';
import type { ProjectView } from '@/lib/projects/queries';

const DATABASE_TONES: Partial<Record<string, BadgeTone>> = {
  running: 'green',
  initializing: 'blue',
  failed: 'red',
  stopped: 'neutral',
};

export const appHref = (projectId: string, appId: string) => `/projects/${projectId}/apps/${appId}`;

function ApplicationStatusBadge({ status }: { status: string }) {
  const known = (APPLICATION_STATUSES as readonly string[]).includes(status);
  return known ? <StatusBadge status={status as ApplicationStatus} /> : <Badge>{status}</Badge>;
}

export function ApplicationsTable({ project, canCreate }: { project: ProjectView; canCreate: boolean }) {
  if (project.applications.length === 0) {
    return (
      <EmptyState title="No applications yet">
        {canCreate
          ? 'Add one with “New application”: a Docker image, a git repository or a compose file.'
          : 'Nobody has added an application to this project yet.'}
      </EmptyState>
    );
  }
  return (
    <DataTable headings={['Name', 'Type', 'Status', 'Replicas', 'Updated']}>
      {project.applications.map((app) => (
        <tr key={app.id} className="hover:bg-subtle/40">
          <th scope="row" className="px-4 py-3 font-medium">
            <Link href={appHref(project.id, app.id)} className="font-mono hover:underline">
              {app.name}
            </Link>
          </th>
          <td className="px-4 py-3 text-muted">{app.type}</td>
          <td className="px-4 py-3">
            <ApplicationStatusBadge status={app.status} />
          </td>
          <td className="px-4 py-3 tabular-nums">{app.replicas}</td>
          <td className="px-4 py-3 whitespace-nowrap text-muted">
            <DateTime value={app.updatedAt} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** Archived applications are out of the way but reachable: their page offers Restore. */
export function ArchivedApplications({ project }: { project: ProjectView }) {
  if (project.archivedApplications.length === 0) return null;
  return (
    <div className="space-y-1 text-sm">
      <h3 className="text-muted">Archived (restore from the application&apos;s Settings)</h3>
      <ul className="space-y-1 pl-4">
        {project.archivedApplications.map((app) => (
          <li key={app.id} className="flex flex-wrap items-center gap-2">
            <Link href={appHref(project.id, app.id)} className="font-mono hover:underline">
              {app.name}
            </Link>
            <StatusBadge status="archived" />
            <span className="text-xs text-muted">
              since <DateTime value={app.deletedAt} />
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function DatabasesTable({ project }: { project: ProjectView }) {
  return (
    <DataTable headings={['Name', 'Type', 'Version', 'Status']}>
      {project.databases.map((db) => (
        <tr key={db.id}>
          <th scope="row" className="px-4 py-3 font-medium">
            {db.name}
          </th>
          <td className="px-4 py-3 text-muted">{db.type}</td>
          <td className="px-4 py-3 text-muted">{db.version ?? 'latest'}</td>
          <td className="px-4 py-3">
            <Badge tone={DATABASE_TONES[db.status] ?? 'neutral'}>{db.status}</Badge>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function DomainsTable({ project }: { project: ProjectView }) {
  const appIds = new Set(project.applications.map((app) => app.id));
  return (
    <DataTable headings={['Domain', 'Routes to', 'TLS']}>
      {project.domains.map((domain) => (
        <tr key={domain.id}>
          <th scope="row" className="px-4 py-3 font-mono text-xs font-medium">
            {domain.domain}
          </th>
          <td className="px-4 py-3">
            <span className="text-muted">{domain.targetType}</span>{' '}
            {domain.targetName === null ? (
              <span className="text-muted">(missing)</span>
            ) : domain.targetType === 'application' && appIds.has(domain.targetId) ? (
              <Link href={appHref(project.id, domain.targetId)} className="hover:underline">
                {domain.targetName}
              </Link>
            ) : (
              domain.targetName
            )}
          </td>
          <td className="px-4 py-3">
            {domain.tlsEnabled ? <Badge tone="green">on</Badge> : <Badge tone="amber">off</Badge>}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
