// The running service's own output (stdout and stderr of its tasks), live. Before a first successful deployment
// there is no service, and the page says so instead of opening a stream.
import { LogViewer } from '@/components/log-viewer';
import { EmptyState } from '@/components/ui/empty-state';
import { loadApplicationPage } from '@/lib/applications/page';
import { currentDeployment } from '@/lib/applications/queries';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';

type Params = { params: Promise<{ projectId: string; appId: string }> };

export default async function LogsPage({ params }: Params) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const deployed = await asUser(await getDb(), user.id, (tx) => currentDeployment(tx, app));
  if (!deployed) {
    return (
      <EmptyState title="No runtime logs yet">
        This application has not been deployed successfully yet: its service&apos;s output streams here once it runs.
        Build and deployment logs are on each deployment&apos;s page.
      </EmptyState>
    );
  }
  return (
    <LogViewer
      source={`/api/applications/${app.id}/logs?tail=500`}
      downloadName={`${app.name}-runtime.log`}
      emptyText="No output yet…"
    />
  );
}
