'use client';

// The Source tab's two ways to queue a deployment, one component (one chunk): "Deploy latest commit" (the server asks
// the repository for the branch head with git ls-remote, then queues it) and "Redeliver" of a recorded push (after
// asking). Either says what came of it, links to the deployment, and shows a refusal beside the button.
import Link from 'next/link';
import { useState, useTransition } from 'react';

import { Button } from '@/components/ui/button';
import { ActionToast } from '@/components/ui/toast';

import { deployLatestCommitAction, redeliverAction, type DeployResult } from '../source/actions';

type Props = { applicationId: string; deploymentsHref: string } & (
  { kind: 'latest'; branch: string } | { kind: 'redeliver'; deliveryRowId: string; commit: string }
);

export function DeployActionButton(props: Props) {
  const { applicationId, deploymentsHref } = props;
  const [result, setResult] = useState<DeployResult | null>(null);
  const [pending, startTransition] = useTransition();
  const latest = props.kind === 'latest';
  const run = () => {
    if (props.kind === 'redeliver') {
      const question = `Redeliver the push of ${props.commit}? It is processed again with today’s settings, and may deploy that commit.`;
      if (!window.confirm(question)) return;
      startTransition(async () => setResult(await redeliverAction(applicationId, props.deliveryRowId)));
    } else {
      startTransition(async () => setResult(await deployLatestCommitAction(applicationId)));
    }
  };
  const label =
    props.kind === 'latest'
      ? pending
        ? `Asking the repository for ${props.branch}…`
        : 'Deploy latest commit'
      : pending
        ? 'Redelivering…'
        : 'Redeliver';
  const text = latest ? 'text-sm' : 'text-xs';
  return (
    <div className={latest ? 'space-y-2' : 'flex flex-col items-end gap-1'}>
      <Button
        variant={latest ? 'primary' : 'ghost'}
        className={latest ? undefined : 'h-7 text-xs'}
        onClick={run}
        disabled={pending}
        aria-label={props.kind === 'redeliver' ? `Redeliver the push of ${props.commit}` : undefined}
      >
        {label}
      </Button>
      {result && <ActionToast state={result} />}
      {/* The toast announces it; this line stays, with the link. */}
      {result?.ok && result.deploymentId && (
        <p className={text}>
          {latest && <>{result.message} </>}
          <Link href={`${deploymentsHref}/${result.deploymentId}`} className="font-medium underline">
            Open the deployment
          </Link>
        </p>
      )}
      {result && !result.ok && (
        <p role="alert" className={`${text} max-w-prose text-red-700 dark:text-red-400 ${latest ? '' : 'text-right'}`}>
          {result.message}
        </p>
      )}
    </div>
  );
}
