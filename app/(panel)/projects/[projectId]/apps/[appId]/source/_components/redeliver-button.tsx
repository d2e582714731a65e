'use client';

// Processes a recorded push again (after asking), and says what came of it, with a link to its deployment.
import Link from 'next/link';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { ActionToast } from '@/components/ui/toast';
import { redeliverAction, type DeployResult } from '../actions';

type Props = { applicationId: string; deliveryRowId: string; commit: string; deploymentsHref: string };

export function RedeliverButton({ applicationId, deliveryRowId, commit, deploymentsHref }: Props) {
  const [result, setResult] = useState<DeployResult | null>(null);
  const [pending, startTransition] = useTransition();
  const redeliver = () => {
    if (!window.confirm(`Redeliver the push of ${commit}? It is processed again with today’s settings, and may deploy that commit.`)) return;
    startTransition(async () => setResult(await redeliverAction(applicationId, deliveryRowId)));
  };
  return (
    <div className="flex flex-col items-end gap-1">
      <Button variant="ghost" className="h-7 text-xs" onClick={redeliver} disabled={pending} aria-label={`Redeliver the push of ${commit}`}>
        {pending ? 'Redelivering…' : 'Redeliver'}
      </Button>
      {result && <ActionToast state={result} />}
      {result?.ok && result.deploymentId && (
        <Link href={`${deploymentsHref}/${result.deploymentId}`} className="text-xs underline">
          Open the deployment
        </Link>
      )}
      {result && !result.ok && (
        <span role="alert" className="max-w-xs text-right text-xs text-red-700 dark:text-red-400">
          {result.message}
        </span>
      )}
    </div>
  );
}
