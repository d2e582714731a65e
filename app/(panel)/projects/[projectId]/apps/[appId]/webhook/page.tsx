// The Webhook tab of a git application: the payload URL and secret (reveal, regenerate), when pushes deploy, the
// provider's setup steps, and the recent deliveries with what came of each (redeliver for those who may deploy).
import { Section } from '@/components/ui/section';
import { appPath, loadApplicationPage } from '@/lib/applications/page';
import { getApplicationView } from '@/lib/applications/queries';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';

import { loadGitSourceTab } from '../source/_lib/source-tab';
import { WebhookPanel } from './_components/webhook-panel';

type Params = {
  params: Promise<{ projectId: string; appId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function WebhookPage({ params, searchParams }: Params) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const view = await asUser(await getDb(), user.id, (tx) => getApplicationView(tx, app));
  const after = (await searchParams).deliveries;
  const cursor = typeof after === 'string' && after !== '' ? after : undefined;
  const git = view.source.type === 'git' ? await loadGitSourceTab(user, app, cursor) : null;
  const permissions = {
    canUpdate: can(user, 'application.update', app.project.resource) && !view.deletedAt,
    canReveal: can(user, 'env.reveal_secret', app.project.resource),
    canDeploy: can(user, 'application.deploy', app.project.resource) && !view.deletedAt,
  };
  return (
    <Section id="webhook-page-heading" title="Webhook">
      {view.source.type !== 'git' ? (
        <p className="text-sm text-muted">
          Push to deploy is for applications built from a git repository; this one deploys{' '}
          {view.type === 'docker' ? 'an image' : 'a compose file'}.
        </p>
      ) : !git ? (
        <p className="text-sm text-muted">
          This application has no webhook yet: save its source on the Source tab to create one.
        </p>
      ) : (
        <WebhookPanel
          tab={git}
          applicationId={view.id}
          sourceBranch={view.source.branch}
          webhookHref={appPath(projectId, appId, 'webhook')}
          deploymentsHref={appPath(projectId, appId, 'deployments')}
          permissions={permissions}
          firstPage={!cursor || git.cursorProblem !== null}
        />
      )}
    </Section>
  );
}
