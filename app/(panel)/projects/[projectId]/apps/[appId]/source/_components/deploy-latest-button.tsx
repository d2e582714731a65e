'use client';

// "Deploy latest commit": the server asks the repository for the branch head (git ls-remote), then queues it. The
// result names the commit and links to its deployment; git's refusal is shown beside the button.
import Link from 'next/link';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { ActionToast } from '@/components/ui/toast';
import { deployLatestCommitAction, type DeployResult } from '../actions';

export function DeployLatestButton({ applicationId, branch, deploymentsHref }: { applicationId: string; branch: string; deploymentsHref: string }) {
  const [result, setResult] = useState<DeployResult | null>(null);
  const [pending, startTransition] = useTransition();
  const deploy = () => startTransition(async () => setResult(await deployLatestCommitAction(applicationId)));
  return (
    <div className="space-y-2">
      <Button variant="primary" onClick={deploy} disabled={pending}>
        {pending ? `Asking the repository for ${branch}…` : 'Deploy latest commit'}
      </Button>
      {result && <ActionToast state={result} />}
      {/* The toast announces it; this line stays, with the link. */}
      {result?.ok && result.deploymentId && (
        <p className="text-sm">
          {result.message}{' '}
          <Link href={`${deploymentsHref}/${result.deploymentId}`} className="font-medium underline">
            Open the deployment
          </Link>
        </p>
      )}
      {result && !result.ok && (
        <p role="alert" className="max-w-prose text-sm text-red-700 dark:text-red-400">
          {result.message}
        </p>
      )}
    </div>
  );
}
