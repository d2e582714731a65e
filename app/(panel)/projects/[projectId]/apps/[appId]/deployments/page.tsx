import { EmptyState } from '@/components/ui/empty-state';
import { FormMessage } from '@/components/ui/form-message';
import { Pager } from '@/components/ui/pager';
import { DataTable } from '@/components/ui/table';
import { listDeployments, type DeploymentItem } from '@/lib/applications/view';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { deploymentCursorSchema } from '@/lib/validation/application';
import { DateTime } from '../_components/application-details';
import { DeploymentStatusBadge } from '../_components/deployment-status-badge';
import { appPath, loadApplicationPage } from '../_lib/load';

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
  const page = await asUser(await getDb(), user.id, (tx) => listDeployments(tx, app, { cursor: cursor ? String(after) : undefined }));
  if (page.items.length === 0 && !cursor) {
    return <EmptyState title="No deployments yet: deploying arrives with the Swarm engine" />;
  }
  return (
    <div className="space-y-4">
      <DataTable headings={['Started', 'Status', 'Commit', 'Trigger', 'Duration']}>
        {page.items.map((item) => (
          <DeploymentRow key={item.id} item={item} />
        ))}
      </DataTable>
      <Pager firstHref={cursor ? base : undefined} nextHref={page.nextCursor ? `${base}?after=${page.nextCursor}` : undefined} />
    </div>
  );
}

function DeploymentRow({ item }: { item: DeploymentItem }) {
  return (
    <tr>
      <th scope="row" className="px-4 py-3 font-normal whitespace-nowrap">
        <DateTime value={item.startedAt} />
      </th>
      <td className="px-4 py-3">
        <DeploymentStatusBadge status={item.status} />
      </td>
      <td className="px-4 py-3 font-mono text-xs">{item.commitSha ? item.commitSha.slice(0, 12) : <span className="text-muted">—</span>}</td>
      <td className="px-4 py-3 text-muted">
        {item.trigger ?? (item.triggeredBy ? 'manual' : 'system')}
        {item.triggeredBy && <> by {item.triggeredBy}</>}
      </td>
      <td className="px-4 py-3 tabular-nums">{duration(item.durationSeconds)}</td>
    </tr>
  );
}
