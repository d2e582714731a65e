// The git half of the Source tab: the webhook (URL, secret, settings, setup steps), repository access, deploying
// the branch head, and the recent deliveries. Server-rendered from the browser-safe view; only the interactive bits
// are client components, and they get no secret as a prop.
import type { ReactNode } from 'react';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { FormMessage } from '@/components/ui/form-message';
import { Input } from '@/components/ui/input';
import { Pager } from '@/components/ui/pager';
import { PROVIDER_LABELS, type Provider } from '@/lib/webhooks/headers';
import { DateTime } from '../../_components/application-details';
import type { GitSourceTab } from '../_lib/source-tab';
import { CopyButton } from './copy-button';
import { DeliveriesTable } from './deliveries-table';
import { DeployLatestButton } from './deploy-latest-button';
import { RepositoryAccess } from './repository-access';
import { SetupSteps } from './setup-steps';
import { WebhookSettingsForm } from './webhook-settings-form';
import { WebhookSecret } from './webhook-secret';

export type Permissions = { canUpdate: boolean; canReveal: boolean; canDeploy: boolean };

type Props = {
  tab: GitSourceTab;
  applicationId: string;
  sourceBranch: string;
  /** The Source tab's own path (the deliveries pager links to it) and the Deployments tab's. */
  sourceHref: string;
  deploymentsHref: string;
  permissions: Permissions;
  defaultUsername: string;
  firstPage: boolean;
};

const KEY_STEPS: Record<Provider, string> = {
  github: 'Add it on GitHub under the repository’s Settings → Deploy keys → Add deploy key: paste the public key and leave “Allow write access” unticked (a read-only deploy key).',
  gitlab: 'Add it on GitLab under the project’s Settings → Repository → Deploy keys → Add new key: paste the public key and leave “Grant write permissions” unticked (a read-only deploy key).',
  bitbucket: 'Add it on Bitbucket under Repository settings → Access keys → Add key: paste the public key (access keys are read-only deploy keys).',
  gitea: 'Add it on Gitea under the repository’s Settings → Deploy keys → Add deploy key: paste the public key and leave “Enable write access” unticked (a read-only deploy key).',
};

const TOKEN_STEPS: Record<Provider, string> = {
  github: 'Make a fine-grained personal access token on GitHub limited to this repository, with Contents: read-only.',
  gitlab: 'Make a project access token with read_repository on GitLab (or a deploy token: then give its user name too).',
  bitbucket: 'Make a repository access token on Bitbucket with Repositories: Read (or an app password: then give your Bitbucket user name).',
  gitea: 'Make an access token on Gitea (your settings → Applications) with read access to repositories.',
};

function Section({ id, title, children, action }: { id: string; title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={id} className="text-base font-semibold">
          {title}
        </h3>
        {action}
      </div>
      {children}
    </section>
  );
}

export function GitSourcePanel({ tab, applicationId, sourceBranch, sourceHref, deploymentsHref, permissions, defaultUsername, firstPage }: Props) {
  const { settings, provider } = tab;
  const label = PROVIDER_LABELS[provider];
  const { canUpdate, canReveal, canDeploy } = permissions;
  const local = /^https?:\/\/(localhost|127\.|\[::1\])/.test(tab.webhookUrl);
  return (
    <div className="space-y-8">
      <Section id="webhook-heading" title="Webhook">
        <Card className="space-y-6 p-6">
          <p className="text-sm text-muted">
            {settings.autoDeploy
              ? `When ${label} calls this URL for a push to ${settings.watchedBranch}${settings.deployTags ? ' (or a tag)' : ''}, that commit is deployed.`
              : 'Auto-deploy is off: deliveries are recorded below but deploy nothing.'}
          </p>
          <div className="space-y-1">
            <span id="webhook-url-label" className="block text-sm font-medium">
              Payload URL
            </span>
            <div className="flex flex-wrap items-center gap-2">
              <Input readOnly value={tab.webhookUrl} aria-labelledby="webhook-url-label" data-testid="webhook-url" className="max-w-2xl font-mono text-xs" />
              <CopyButton value={tab.webhookUrl} label="Copy the webhook URL" />
            </div>
            {local && (
              <p className="text-xs text-amber-800 dark:text-amber-300">
                This address is local: set SLIPWAY_URL to the panel’s public address so that {label} can reach it.
              </p>
            )}
          </div>
          <div className="space-y-1">
            <span className="block text-sm font-medium">Secret</span>
            <WebhookSecret applicationId={applicationId} providerLabel={label} hasSecret={settings.hasSecret} canReveal={canReveal} canRegenerate={canUpdate} />
            {settings.secretCreatedAt && !Number.isNaN(Date.parse(settings.secretCreatedAt)) && (
              <p className="text-xs text-muted">
                Created <DateTime value={new Date(settings.secretCreatedAt)} />
              </p>
            )}
          </div>
          {canUpdate ? (
            <WebhookSettingsForm applicationId={applicationId} sourceBranch={sourceBranch} current={settings} />
          ) : (
            <dl className="grid gap-4 text-sm sm:grid-cols-3">
              <div>
                <dt className="text-xs font-medium text-muted">Deploy on push</dt>
                <dd>{settings.autoDeploy ? 'on' : 'off'}</dd>
              </div>
              <div>
                <dt className="text-xs font-medium text-muted">Watched branch</dt>
                <dd className="font-mono">{settings.watchedBranch}</dd>
              </div>
              <div>
                <dt className="text-xs font-medium text-muted">Deploy tag pushes</dt>
                <dd>{settings.deployTags ? 'on' : 'off'}</dd>
              </div>
            </dl>
          )}
          <SetupSteps provider={provider} label={label} url={tab.webhookUrl} canReveal={canReveal} canRegenerate={canUpdate} />
        </Card>
      </Section>

      <Section id="access-heading" title="Repository access">
        <Card className="space-y-3 p-6">
          {settings.authMethod === 'deploy_key' && !tab.overSsh && (
            <FormMessage ok={false} message="A deploy key is used over SSH only, and this repository’s address is not an SSH one: change it above to the SSH address (git@host:owner/name.git)." />
          )}
          {settings.authMethod === 'token' && tab.overSsh && (
            <FormMessage ok={false} message="An access token is sent over https only, and this repository’s address is an SSH one: change it above to the https:// address." />
          )}
          <RepositoryAccess
            applicationId={applicationId}
            method={settings.authMethod}
            publicKey={settings.deployKeyPublic}
            fingerprint={settings.deployKeyFingerprint}
            tokenUsername={settings.tokenUsername}
            defaultUsername={defaultUsername}
            canChange={canUpdate}
            keySteps={KEY_STEPS[provider]}
            tokenSteps={TOKEN_STEPS[provider]}
          />
        </Card>
      </Section>

      {canDeploy && (
        <Section id="deploy-latest-heading" title="Deploy the latest commit">
          <p className="max-w-prose text-sm text-muted">{`Asks ${label} for the newest commit of ${settings.watchedBranch} and deploys it, without waiting for a push.`}</p>
          <DeployLatestButton applicationId={applicationId} branch={settings.watchedBranch} deploymentsHref={deploymentsHref} />
        </Section>
      )}

      <Section id="deliveries-heading" title="Recent deliveries">
        {tab.cursorProblem && <FormMessage ok={false} message={tab.cursorProblem} />}
        {tab.deliveries.items.length === 0 && firstPage ? (
          <EmptyState title="No deliveries yet">{`Once the webhook is set up on ${label}, every delivery it sends shows up here with what came of it (kept 30 days).`}</EmptyState>
        ) : (
          <DeliveriesTable items={tab.deliveries.items} applicationId={applicationId} deploymentsHref={deploymentsHref} canRedeliver={canDeploy} />
        )}
        <Pager
          firstHref={firstPage ? undefined : sourceHref}
          nextHref={tab.deliveries.nextCursor ? `${sourceHref}?deliveries=${tab.deliveries.nextCursor}` : undefined}
        />
      </Section>
    </div>
  );
}
