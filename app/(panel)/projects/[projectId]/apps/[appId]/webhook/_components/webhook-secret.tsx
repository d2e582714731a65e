'use client';

// The webhook secret: hidden, revealed on request (to those allowed; audited), or regenerated after a confirmation.
// The plaintext lives only in this component's state, in the browser of the person whose action returned it.
import { useState, useTransition } from 'react';

import { CopyButton } from '@/components/copy-button';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';

import { regenerateWebhookSecretAction, revealWebhookSecretAction, type SecretResult } from '../../source/actions';

const MASK = '••••••••••••••••';

type Props = {
  applicationId: string;
  providerLabel: string;
  hasSecret: boolean;
  canReveal: boolean;
  canRegenerate: boolean;
};

export function WebhookSecret({ applicationId, providerLabel, hasSecret, canReveal, canRegenerate }: Props) {
  const [shown, setShown] = useState<{ secret: string; fresh: boolean } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const ask = (action: () => Promise<SecretResult>, fresh: boolean) =>
    startTransition(async () => {
      const result = await action();
      if (result.ok) {
        setShown({ secret: result.secret, fresh });
        setProblem(null);
      } else setProblem(result.message);
      setConfirming(false);
    });

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        {shown ? (
          <>
            <Input
              readOnly
              value={shown.secret}
              aria-label="Webhook secret"
              data-testid="webhook-secret"
              className="max-w-xl font-mono text-xs"
              spellCheck={false}
              onFocus={(event) => event.currentTarget.select()}
            />
            <CopyButton value={shown.secret} label="Copy the webhook secret" />
            <Button variant="ghost" onClick={() => setShown(null)}>
              Hide
            </Button>
          </>
        ) : hasSecret ? (
          <span className="font-mono text-muted" aria-label="Webhook secret hidden">
            {MASK}
          </span>
        ) : (
          <span className="text-sm text-amber-800 dark:text-amber-300">
            No secret yet: every delivery is refused until one is generated.
          </span>
        )}
        {!shown && hasSecret && canReveal && (
          <Button
            variant="ghost"
            onClick={() => ask(() => revealWebhookSecretAction(applicationId), false)}
            disabled={pending}
          >
            {pending && !confirming ? 'Revealing…' : 'Reveal'}
          </Button>
        )}
        {canRegenerate && !confirming && (
          <Button
            variant="secondary"
            onClick={() =>
              hasSecret ? setConfirming(true) : ask(() => regenerateWebhookSecretAction(applicationId), true)
            }
            disabled={pending}
          >
            {hasSecret ? 'Regenerate secret' : 'Generate secret'}
          </Button>
        )}
      </div>
      {confirming && (
        <div
          role="group"
          aria-label="Confirm regenerating the webhook secret"
          className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          <p>
            Regenerate the webhook secret? The current one stops working at once: {providerLabel} deliveries signed with
            it are refused until you paste the new secret into the webhook’s settings.
          </p>
          <div className="flex gap-2">
            <Button
              variant="primary"
              onClick={() => ask(() => regenerateWebhookSecretAction(applicationId), true)}
              disabled={pending}
            >
              {pending ? 'Regenerating…' : 'Yes, regenerate'}
            </Button>
            <Button variant="ghost" onClick={() => setConfirming(false)} disabled={pending}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {shown?.fresh && (
        <p
          role="status"
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          New secret generated. Copy it now and paste it into the {providerLabel} webhook’s secret field: the old one no
          longer works
          {canReveal ? '.' : ', and you will not be able to see this one again.'}
        </p>
      )}
      {problem && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {problem}
        </p>
      )}
    </div>
  );
}
