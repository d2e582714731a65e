import { EmptyState } from '@/components/ui/empty-state';
import { loadApplicationPage } from '../_lib/load';

type Params = { params: Promise<{ projectId: string; appId: string }> };

export default async function LogsPage({ params }: Params) {
  const { projectId, appId } = await params;
  await loadApplicationPage(projectId, appId);
  return (
    <EmptyState title="No runtime logs yet">
      Slipway does not run containers yet: runtime logs stream here once the Swarm engine deploys this application. Build
      and deployment logs will appear with each deployment.
    </EmptyState>
  );
}
