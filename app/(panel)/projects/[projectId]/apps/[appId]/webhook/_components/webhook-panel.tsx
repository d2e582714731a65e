// The Webhook tab's content (a server component): the payload URL and secret, settings, the provider's setup steps,
// and the recent deliveries. Its own module: a page ships the client components of every module it imports, so the
// Source tab must not import this one (first-load budget).
import { CopyButton } from '@/components/copy-button';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { FormMessage } from '@/components/ui/form-message';
import { Input } from '@/components/ui/input';
import { Pager } from '@/components/ui/pager';
import { Section } from '@/components/ui/section';
import type { GitSourceTab } from '@/lib/git-sources/queries';
import { PROVIDER_LABELS } from '@/lib/webhooks/headers';

import type { Permissions } from '../../_components/permissions';
import { DeliveriesTable } from './deliveries-table';
import { SetupSteps } from './setup-steps';
import { WebhookSecret } from './webhook-secret';
import { WebhookSettingsForm } from './webhook-settings-form';

type Common = { tab: GitSourceTab; applicationId: string; deploymentsHref: string; permissions: Permissions };
type WebhookProps = Common & {
  sourceBranch: string;
  /** The Webhook tab's own path: the deliveries pager links to it. */
  webhookHref: string;
  firstPage: boolean;
};

/** The Webhook tab: the URL and secret, settings, setup steps, and the recent deliveries with redeliver. */
export function WebhookPanel({
  tab,
  applicationId,
  sourceBranch,
  webhookHref,
  deploymentsHref,
  permissions,
  firstPage,
}: WebhookProps) {
  const { settings, provider } = tab;
  const label = PROVIDER_LABELS[provider];
  const { canUpdate, canReveal, canDeploy } = permissions;
  const local = /^https?:\/\/(localhost|127\.|\[::1\])/.test(tab.webhookUrl);
  return (
    <div className="space-y-8">
      <Section level={3} id="webhook-heading" title="Webhook">
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
              <Input
                readOnly
                value={tab.webhookUrl}
                aria-labelledby="webhook-url-label"
                data-testid="webhook-url"
                className="max-w-2xl font-mono text-xs"
              />
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
            <WebhookSecret
              applicationId={applicationId}
              providerLabel={label}
              hasSecret={settings.hasSecret}
              canReveal={canReveal}
              canRegenerate={canUpdate}
            />
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
          <SetupSteps
            provider={provider}
            label={label}
            url={tab.webhookUrl}
            canReveal={canReveal}
            canRegenerate={canUpdate}
          />
        </Card>
      </Section>

      <Section level={3} id="deliveries-heading" title="Recent deliveries">
        {tab.cursorProblem && <FormMessage ok={false} message={tab.cursorProblem} />}
        {tab.deliveries.items.length === 0 && firstPage ? (
          <EmptyState title="No deliveries yet">{`Once the webhook is set up on ${label}, every delivery it sends shows up here with what came of it (kept 30 days).`}</EmptyState>
        ) : (
          <DeliveriesTable
            items={tab.deliveries.items}
            applicationId={applicationId}
            deploymentsHref={deploymentsHref}
            canRedeliver={canDeploy}
          />
        )}
        <Pager
          firstHref={firstPage ? undefined : webhookHref}
          nextHref={tab.deliveries.nextCursor ? `${webhookHref}?deliveries=${tab.deliveries.nextCursor}` : undefined}
        />
      </Section>
    </div>
  );
}
