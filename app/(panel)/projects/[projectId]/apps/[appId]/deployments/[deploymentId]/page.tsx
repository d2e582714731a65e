// One deployment: its details and its log, live while it runs (DeploymentLive refreshes this page, and the layout's
// header, at each status change). The deployment is looked up only among the application's own (which the layout
// has authorized), so another application's deployment id is a 404.
import { notFound } from 'next/navigation';

import { DateTime } from '@/components/ui/date-time';
import { loadApplicationPage } from '@/lib/applications/page';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { isUuid } from '@/lib/validation/ids';

import { DeploymentLive } from '../../_components/deployment-live';

type Props = { params: Promise<{ projectId: string; appId: string; deploymentId: string }> };

export default async function DeploymentPage({ params }: Props) {
  const { projectId, appId, deploymentId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  if (!isUuid(deploymentId)) notFound();
  const deployment = await asUser(await getDb(), user.id, (tx) =>
    tx.deployment.findFirst({
      where: { id: deploymentId, applicationId: app.id },
      select: {
        id: true,
        status: true,
        commitSha: true,
        metadata: true,
        startedAt: true,
        completedAt: true,
        user: { select: { username: true } },
      },
    }),
  );
  if (!deployment) notFound();
  const metadata = (deployment.metadata ?? {}) as Record<string, unknown>;
  const text = (key: string) =>
    typeof metadata[key] === 'string' || typeof metadata[key] === 'number' ? String(metadata[key]) : null;
  return (
    <div className="space-y-6">
      <dl aria-label="Deployment details" className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
        <Item term="Started">
          <DateTime value={deployment.startedAt} />
        </Item>
        <Item term="Finished">{deployment.completedAt ? <DateTime value={deployment.completedAt} /> : '—'}</Item>
        <Item term="Commit">{deployment.commitSha ? <code>{deployment.commitSha.slice(0, 12)}</code> : '—'}</Item>
        <Item term="Triggered by">{deployment.user?.username ?? text('trigger') ?? 'system'}</Item>
        <Item term="Image">{text('image') ? <code className="break-all">{text('image')}</code> : '—'}</Item>
        <Item term="Duration">{text('duration_seconds') ? `${text('duration_seconds')} s` : '—'}</Item>
        {text('reason') && <Item term="Reason">{text('reason')}</Item>}
      </dl>
      <DeploymentLive
        deploymentId={deployment.id}
        initialStatus={deployment.status}
        downloadName={`${app.name}-${deployment.id.slice(0, 8)}.log`}
      />
    </div>
  );
}

function Item({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-muted">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
