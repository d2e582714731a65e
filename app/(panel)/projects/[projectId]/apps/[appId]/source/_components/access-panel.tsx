// On the Source tab of a git application (a server component): how the repository is fetched (a deploy key or an
// access token) and "deploy the latest commit".
import { Card } from '@/components/ui/card';
import { FormMessage } from '@/components/ui/form-message';
import { Section } from '@/components/ui/section';
import type { GitSourceTab } from '@/lib/git-sources/queries';
import { PROVIDER_LABELS, type Provider } from '@/lib/webhooks/headers';

import { DeployActionButton } from '../../_components/deploy-action-button';
import type { Permissions } from '../../_components/permissions';
import { RepositoryAccess } from './repository-access';

type Common = { tab: GitSourceTab; applicationId: string; deploymentsHref: string; permissions: Permissions };
type AccessProps = Common & { defaultUsername: string };

const KEY_STEPS: Record<Provider, string> = {
  github:
    'Add it on GitHub under the repository’s Settings → Deploy keys → Add deploy key: paste the public key and leave “Allow write access” unticked (a read-only deploy key).',
  gitlab:
    'Add it on GitLab under the project’s Settings → Repository → Deploy keys → Add new key: paste the public key and leave “Grant write permissions” unticked (a read-only deploy key).',
  bitbucket:
    'Add it on Bitbucket under Repository settings → Access keys → Add key: paste the public key (access keys are read-only deploy keys).',
  gitea:
    'Add it on Gitea under the repository’s Settings → Deploy keys → Add deploy key: paste the public key and leave “Enable write access” unticked (a read-only deploy key).',
};

const TOKEN_STEPS: Record<Provider, string> = {
  github: 'Make a fine-grained personal access token on GitHub limited to this repository, with Contents: read-only.',
  gitlab:
    'Make a project access token with read_repository on GitLab (or a deploy token: then give its user name too).',
  bitbucket:
    'Make a repository access token on Bitbucket with Repositories: Read (or an app password: then give your Bitbucket user name).',
  gitea: 'Make an access token on Gitea (your settings → Applications) with read access to repositories.',
};

/** On the Source tab: how the repository is fetched (deploy key or token) and "deploy the latest commit". */
export function AccessPanel({ tab, applicationId, deploymentsHref, permissions, defaultUsername }: AccessProps) {
  const { settings, provider } = tab;
  const label = PROVIDER_LABELS[provider];
  const { canUpdate, canDeploy } = permissions;
  return (
    <div className="space-y-8">
      <Section level={3} id="access-heading" title="Repository access">
        <Card className="space-y-3 p-6">
          {settings.authMethod === 'deploy_key' && !tab.overSsh && (
            <FormMessage
              ok={false}
              message="A deploy key is used over SSH only, and this repository’s address is not an SSH one: change it above to the SSH address (git@host:owner/name.git)."
            />
          )}
          {settings.authMethod === 'token' && tab.overSsh && (
            <FormMessage
              ok={false}
              message="An access token is sent over https only, and this repository’s address is an SSH one: change it above to the https:// address."
            />
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
        <Section level={3} id="deploy-latest-heading" title="Deploy the latest commit">
          <p className="max-w-prose text-sm text-muted">{`Asks ${label} for the newest commit of ${settings.watchedBranch} and deploys it, without waiting for a push.`}</p>
          <DeployActionButton
            kind="latest"
            applicationId={applicationId}
            branch={settings.watchedBranch}
            deploymentsHref={deploymentsHref}
          />
        </Section>
      )}
    </div>
  );
}
