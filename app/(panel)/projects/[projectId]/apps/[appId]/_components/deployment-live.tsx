'use client';

// A deployment as it happens: the stage it is in (queued, building, deploying, done), moved by the status events of
// the log stream, above the live log itself. The rest of the page (the application's status in the header, the
// deployment's finished time, image and duration) is rendered on the server: a status the page was not rendered
// with refreshes it (the log and its scroll position stay), so the page shows what a reload would at every step,
// the last one included. A move and what it stamps are committed together before the stream hears of it
// (lib/deploy/state.ts), so the refresh reads them.
import { useRouter } from 'next/navigation';
import { useCallback, useState } from 'react';

import { LogViewer } from '@/components/log-viewer';

import { DeploymentStatusBadge } from './deployment-status-badge';

const STAGES = [
  { key: 'queued', label: 'Queued', statuses: ['pending'] },
  { key: 'building', label: 'Building', statuses: ['building'] },
  { key: 'deploying', label: 'Deploying', statuses: ['deploying'] },
  { key: 'done', label: 'Done', statuses: ['success', 'failed', 'rolled_back', 'superseded'] },
] as const;

const stageIndex = (status: string) =>
  STAGES.findIndex((stage) => (stage.statuses as readonly string[]).includes(status));

export function DeploymentLive({
  deploymentId,
  initialStatus,
  downloadName,
}: {
  deploymentId: string;
  initialStatus: string;
  downloadName: string;
}) {
  const router = useRouter();
  const [status, setStatus] = useState(initialStatus);
  const onStatus = useCallback(
    (value: string) => {
      setStatus(value);
      if (value !== initialStatus) router.refresh();
    },
    [initialStatus, router],
  );
  const current = stageIndex(status);
  return (
    <div className="space-y-4">
      <ol aria-label="Stages" className="flex flex-wrap items-center gap-2 text-sm">
        {STAGES.map((stage, index) => {
          const state = index < current ? 'done' : index === current ? 'current' : 'todo';
          return (
            <li
              key={stage.key}
              aria-current={state === 'current' ? 'step' : undefined}
              className={`rounded-full border px-3 py-1 ${
                state === 'current'
                  ? 'border-accent font-medium text-foreground'
                  : state === 'done'
                    ? 'border-border text-foreground'
                    : 'border-dashed border-border text-muted'
              }`}
            >
              {state === 'done' ? '✓ ' : ''}
              {stage.label}
            </li>
          );
        })}
        <li className="ml-2" data-testid="deployment-status">
          <DeploymentStatusBadge status={status} />
        </li>
      </ol>
      <LogViewer source={`/api/deployments/${deploymentId}/logs`} downloadName={downloadName} onStatus={onStatus} />
    </div>
  );
}
