import type { Metadata } from 'next';
import type { ReactNode } from 'react';

import { APPLICATION_STATUSES, StatusBadge, type ApplicationStatus } from '@/components/status-badge';
import { Badge } from '@/components/ui/badge';
import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { appPath, loadApplicationPage } from '@/lib/applications/page';
import { can } from '@/lib/auth/permissions';

import { TabNav } from './_components/tab-nav';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ projectId: string; appId: string }> };

const TABS = [
  { slug: '', label: 'General' },
  { slug: 'source', label: 'Source' },
  { slug: 'webhook', label: 'Webhook' },
  { slug: 'environment', label: 'Environment' },
  { slug: 'volumes', label: 'Volumes' },
  { slug: 'domains', label: 'Domains' },
  { slug: 'deployments', label: 'Deployments' },
  { slug: 'logs', label: 'Logs' },
  { slug: 'settings', label: 'Settings' },
] as const;

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { projectId, appId } = await params;
  const { app } = await loadApplicationPage(projectId, appId);
  return { title: `${app.name} · ${app.project.name}` };
}

export default async function ApplicationLayout({ params, children }: Params & { children: ReactNode }) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const status = (APPLICATION_STATUSES as readonly string[]).includes(app.status)
    ? (app.status as ApplicationStatus)
    : null;
  const readOnly = !can(user, 'application.update', app.project.resource);
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <Breadcrumbs
          items={[
            { label: 'Projects', href: '/' },
            { label: app.project.name, href: `/projects/${projectId}` },
            { label: app.name },
          ]}
        />
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="font-mono text-2xl font-semibold tracking-tight">{app.name}</h1>
          {status ? <StatusBadge status={status} /> : <Badge>{app.status}</Badge>}
          <Badge>{app.type}</Badge>
          {readOnly && <Badge tone="muted">read-only</Badge>}
        </div>
        {app.deletedAt && (
          <p
            role="status"
            className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          >
            This application is archived: it is hidden from its project and cannot be deployed. Restore it from
            Settings.
          </p>
        )}
      </header>
      <TabNav base={appPath(projectId, appId)} tabs={TABS} />
      {children}
    </div>
  );
}
