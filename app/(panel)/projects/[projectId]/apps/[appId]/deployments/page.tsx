import Link from 'next/link';

import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { FormMessage } from '@/components/ui/form-message';
import { Pager } from '@/components/ui/pager';
import { DataTable } from '@/components/ui/table';
import { appPath, loadApplicationPage } from '@/lib/applications/page';
import { currentDeployment, listDeployments, type DeploymentItem } from '@/lib/applications/queries';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { COMPOSE_NOT_DEPLOYABLE } from '@/lib/deploy/triggers';
import { hrefWith } from '@/lib/http/search-params';
import { deploymentCursorSchema } from '@/lib/validation/application';

import { CancelButton, DeployButtons, RollbackButton } from '../_components/deploy-controls';
import { DeploymentStatusBadge } from '../_components/deployment-status-badge';

type Props = {
  params: Promise<{ projectId: string; appId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function duration(seconds: number | null): string {
  if (seconds === null) return 'running';
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes}m ${seconds % 60}s` : `${seconds}s`;
}

export default async function DeploymentsPage({ params, searchParams }: Props) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const base = appPath(projectId, appId, 'deployments');
  const after = (await searchParams).after;
  const cursor = typeof after === 'string' && after !== '' ? deploymentCursorSchema.safeParse(after) : null;
  if (cursor && !cursor.success) {
    return (
      <div className="space-y-4">
        <FormMessage ok={false} message={cursor.error.issues[0]?.message} />
        <Pager firstHref={base} />
      </div>
    );
  }
  const { page, current } = await asUser(await getDb(), user.id, async (tx) => ({
    page: await listDeployments(tx, app, { cursor: cursor ? String(after) : undefined }),
    current: await currentDeployment(tx, app),
  }));
  // A compose application cannot be deployed (triggers.ts refuses it): no button that cannot work.
  const compose = app.type === 'compose';
  const canDeploy = can(user, 'application.deploy', app.project.resource) && !app.deletedAt && !compose;
  const controls = canDeploy ? (
    <DeployButtons projectId={projectId} applicationId={app.id} canRedeploy={Boolean(current)} />
  ) : null;
  if (page.items.length === 0 && !cursor) {
    return (
      <EmptyState title="No deployments yet" action={controls}>
        {compose
          ? COMPOSE_NOT_DEPLOYABLE
          : canDeploy
            ? 'Deploy builds the source (or takes the image) and rolls it out on Docker Swarm; its log streams live.'
            : null}
      </EmptyState>
    );
  }
  const actions = canDeploy ? { projectId, applicationId: app.id, currentId: current?.id ?? null } : null;
  return (
    <div className="space-y-4">
      {controls}
      <DataTable headings={['Started', 'Status', 'Commit', 'Trigger', 'Duration', 'Actions']}>
        {page.items.map((item) => (
          <DeploymentRow key={item.id} item={item} base={base} actions={actions} />
        ))}
      </DataTable>
      <Pager
        firstHref={cursor ? base : undefined}
        nextHref={page.nextCursor ? hrefWith(base, { after: page.nextCursor }) : undefined}
      />
    </div>
  );
}

type RowActions = { projectId: string; applicationId: string; currentId: string | null } | null;

function DeploymentRow({ item, base, actions }: { item: DeploymentItem; base: string; actions: RowActions }) {
  return (
    <tr>
      <th scope="row" className="px-4 py-3 font-normal whitespace-nowrap">
        <Link href={`${base}/${item.id}`} className="hover:underline">
          <DateTime value={item.startedAt} />
        </Link>
      </th>
      <td className="px-4 py-3">
        <DeploymentStatusBadge status={item.status} />
      </td>
      <td className="px-4 py-3 font-mono text-xs">
        {item.commitSha ? item.commitSha.slice(0, 12) : <span className="text-muted">—</span>}
      </td>
      <td className="px-4 py-3 text-muted">
        {item.trigger ?? (item.triggeredBy ? 'manual' : 'system')}
        {item.triggeredBy && <> by {item.triggeredBy}</>}
      </td>
      <td className="px-4 py-3 tabular-nums">{duration(item.durationSeconds)}</td>
      <td className="px-4 py-3">
        {actions && (item.status === 'pending' || item.status === 'building') && (
          <CancelButton projectId={actions.projectId} applicationId={actions.applicationId} deploymentId={item.id} />
        )}
        {actions && item.status === 'success' && item.hasImage && item.id !== actions.currentId && (
          <RollbackButton
            projectId={actions.projectId}
            applicationId={actions.applicationId}
            deploymentId={item.id}
            label={
              item.commitSha
                ? item.commitSha.slice(0, 12)
                : `the deployment of ${item.startedAt.toISOString().slice(0, 16)}`
            }
          />
        )}
      </td>
    </tr>
  );
}
