// The Source tab: where the application comes from (an image, a repository, a compose file), and for a git
// application how the repository is fetched (deploy key or token) and "deploy the latest commit". The webhook and
// its deliveries have their own tab (../webhook), which keeps each page inside the first-load budget.
import { SourceFields } from '@/components/source-fields';
import { Card } from '@/components/ui/card';
import { Section } from '@/components/ui/section';
import { appPath, loadApplicationPage } from '@/lib/applications/page';
import { getApplicationView, type SourceView } from '@/lib/applications/queries';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { TOKEN_USERNAMES } from '@/lib/git/credentials';

import { SourceSummary } from '../_components/application-details';
import { SourceForm } from '../_components/source-form';
import { AccessPanel } from './_components/access-panel';
import { loadGitSourceTab } from './_lib/source-tab';

type Params = { params: Promise<{ projectId: string; appId: string }> };

/** The stored source as the form's field values. */
function sourceValues(source: SourceView): Record<string, string> {
  if (source.type === 'docker') return { image: source.image };
  if (source.type === 'compose') return { compose: source.compose };
  const { provider, repository, branch, dockerfile, buildContext } = source;
  return { provider, repository, branch, dockerfile, buildContext };
}

const INTRO = {
  docker: 'The image Swarm pulls and runs.',
  git: 'Where the image is built from: a repository, branch, Dockerfile and build context.',
  compose: 'The compose file whose services make up this application.',
} as const;

export default async function SourcePage({ params }: Params) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const view = await asUser(await getDb(), user.id, (tx) => getApplicationView(tx, app));
  const editable = can(user, 'application.update', app.project.resource) && !view.deletedAt;
  const git = view.source.type === 'git' ? await loadGitSourceTab(user, app, undefined, { deliveries: false }) : null;
  const permissions = {
    canUpdate: editable,
    canReveal: can(user, 'env.reveal_secret', app.project.resource),
    canDeploy: can(user, 'application.deploy', app.project.resource) && !view.deletedAt,
  };
  return (
    <div className="space-y-8">
      <Section id="source-heading" title="Source">
        <p className="text-sm text-muted">{INTRO[view.type]}</p>
        <Card className="p-6">
          {editable ? (
            <SourceForm applicationId={view.id} type={view.type} current={sourceValues(view.source)} />
          ) : (
            <div className="space-y-4">
              <p className="text-sm text-muted">
                {view.deletedAt
                  ? 'Archived: restore the application from Settings to change its source.'
                  : 'Read-only: you can see the source but not change it.'}
              </p>
              {view.type === 'compose' ? (
                <SourceFields type="compose" values={sourceValues(view.source)} errors={{}} disabled />
              ) : (
                <dl className="grid gap-4 sm:grid-cols-2">
                  <SourceSummary source={view.source} />
                </dl>
              )}
            </div>
          )}
        </Card>
      </Section>
      {view.source.type === 'git' && git && (
        <AccessPanel
          tab={git}
          applicationId={view.id}
          deploymentsHref={appPath(projectId, appId, 'deployments')}
          permissions={permissions}
          defaultUsername={TOKEN_USERNAMES[git.provider]}
        />
      )}
      {view.source.type === 'git' && !git && (
        <p className="text-sm text-muted">Save the source above to set up repository access and the webhook.</p>
      )}
    </div>
  );
}
