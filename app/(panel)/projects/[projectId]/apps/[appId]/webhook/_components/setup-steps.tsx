// Where each provider takes a webhook, step by step, with the values to paste (server-rendered).
import type { ReactNode } from 'react';

import type { Provider } from '@/lib/webhooks/headers';

const Value = ({ children }: { children: ReactNode }) => (
  <span className="font-medium text-foreground">{children}</span>
);

function steps(provider: Provider, url: ReactNode, secret: string): ReactNode[] {
  switch (provider) {
    case 'github':
      return [
        <>
          In the repository on GitHub, open <Value>Settings → Webhooks → Add webhook</Value>.
        </>,
        <>
          <Value>Payload URL</Value>: {url}
        </>,
        <>
          <Value>Content type</Value>: application/json
        </>,
        <>
          <Value>Secret</Value>: {secret}.
        </>,
        <>
          Under “Which events would you like to trigger this webhook?”, choose <Value>Just the push event</Value>, keep
          it Active, and save.
        </>,
      ];
    case 'gitlab':
      return [
        <>
          In the project on GitLab, open <Value>Settings → Webhooks</Value> (Add new webhook).
        </>,
        <>
          <Value>URL</Value>: {url}
        </>,
        <>
          <Value>Secret token</Value>: {secret}.
        </>,
        <>
          Under Trigger, tick <Value>Push events</Value> (all branches, or the watched one), and save.
        </>,
      ];
    case 'bitbucket':
      return [
        <>
          In the repository on Bitbucket Cloud, open <Value>Repository settings → Webhooks → Add webhook</Value>.
        </>,
        <>
          <Value>URL</Value>: {url}
        </>,
        <>
          <Value>Secret</Value>: {secret}.
        </>,
        <>
          Under Triggers, keep <Value>Repository push</Value> only, keep it Active, and save.
        </>,
      ];
    case 'gitea':
      return [
        <>
          In the repository on Gitea, open <Value>Settings → Webhooks → Add webhook → Gitea</Value>.
        </>,
        <>
          <Value>Target URL</Value>: {url}
        </>,
        <>
          <Value>HTTP method</Value>: POST, <Value>POST content type</Value>: application/json
        </>,
        <>
          <Value>Secret</Value>: {secret}.
        </>,
        <>
          Under Trigger on, choose <Value>Push events</Value>, keep it Active, and add the webhook.
        </>,
      ];
  }
}

const CHECK: Record<Provider, string> = {
  github:
    'GitHub then sends a ping: it shows up under Recent deliveries as “ignored (ping)”, which means the webhook works.',
  gitlab:
    'To check it, use Test → Push events beside the webhook: the delivery shows up under Recent deliveries (a test push deploys like a real one).',
  bitbucket: 'Push a commit to check it: the delivery shows up under Recent deliveries.',
  gitea:
    'To check it, use Test Delivery on the webhook’s page: the delivery shows up under Recent deliveries (a test push deploys like a real one).',
};

/** Where the person gets the secret from depends on what they may do with it. */
function secretSource({ canReveal, canRegenerate }: { canReveal: boolean; canRegenerate: boolean }): string {
  if (canReveal) return 'the secret shown above (Reveal it, or Regenerate to make a new one)';
  if (canRegenerate)
    return 'a new secret (Regenerate above shows it once; revealing the current one is for project owners and team admins)';
  return 'the webhook secret (a project owner or team admin can reveal it)';
}

type Props = { provider: Provider; label: string; url: string; canReveal: boolean; canRegenerate: boolean };

export function SetupSteps({ provider, label, url, canReveal, canRegenerate }: Props) {
  return (
    <section aria-labelledby="webhook-setup" className="space-y-2">
      <h4 id="webhook-setup" className="text-sm font-semibold">{`Set it up on ${label}`}</h4>
      <ol className="list-decimal space-y-1 pl-5 text-sm text-muted">
        {steps(
          provider,
          <code className="font-mono text-xs break-all text-foreground">{url}</code>,
          secretSource({ canReveal, canRegenerate }),
        ).map((step, index) => (
          <li key={index}>{step}</li>
        ))}
      </ol>
      <p className="text-xs text-muted">{CHECK[provider]}</p>
    </section>
  );
}
