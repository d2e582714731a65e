// What the provider sent and what came of it, newest first (server-rendered; the Redeliver buttons are the only
// client parts, and only for those allowed to deploy).
import Link from 'next/link';

import { Badge, type BadgeTone } from '@/components/ui/badge';
import { DateTime } from '@/components/ui/date-time';
import { DataTable } from '@/components/ui/table';
import type { DeliveryItem } from '@/lib/git-sources/queries';
import type { Outcome } from '@/lib/webhooks/store';

import { DeployActionButton } from '../../_components/deploy-action-button';

const TONES: Record<Outcome, BadgeTone> = {
  queued: 'green',
  coalesced: 'blue',
  duplicate: 'neutral',
  ignored: 'muted',
  stale: 'amber',
  rejected: 'red',
  failed: 'red',
};

type Props = { items: DeliveryItem[]; applicationId: string; deploymentsHref: string; canRedeliver: boolean };

export function DeliveriesTable({ items, applicationId, deploymentsHref, canRedeliver }: Props) {
  return (
    <DataTable
      headings={[
        'Received',
        'Outcome',
        'Commit',
        'Event',
        'Deployment',
        { label: 'Actions', align: 'right', hidden: !canRedeliver },
      ]}
    >
      {items.map((item) => (
        <Row
          key={item.id}
          item={item}
          applicationId={applicationId}
          deploymentsHref={deploymentsHref}
          canRedeliver={canRedeliver}
        />
      ))}
    </DataTable>
  );
}

function Row({ item, applicationId, deploymentsHref, canRedeliver }: Omit<Props, 'items'> & { item: DeliveryItem }) {
  const short = item.commitSha?.slice(0, 12) ?? null;
  const ref = item.tag ? `tag ${item.tag}` : item.branch;
  return (
    <tr data-testid="delivery" data-outcome={item.outcome}>
      <th scope="row" className="px-4 py-3 align-top font-normal whitespace-nowrap">
        <DateTime value={item.createdAt} />
      </th>
      <td className="max-w-xs px-4 py-3 align-top">
        <div className="flex flex-wrap items-center gap-1">
          <Badge tone={TONES[item.outcome] ?? 'neutral'}>{item.outcome}</Badge>
          {!item.signatureOk && <Badge tone="red">unsigned</Badge>}
        </div>
        {item.reason && <p className="mt-1 text-xs break-words text-muted">{item.reason}</p>}
      </td>
      <td className="max-w-sm px-4 py-3 align-top">
        {short ? (
          <>
            <span className="font-mono text-xs">{short}</span>
            {ref && <span className="text-xs text-muted">{` on ${ref}`}</span>}
            {item.message && <p className="text-xs break-words">{item.message.split('\n')[0]}</p>}
            {item.author && <p className="text-xs text-muted">{`by ${item.author}`}</p>}
          </>
        ) : (
          <span className="text-muted">—</span>
        )}
      </td>
      <td className="px-4 py-3 align-top text-xs">
        <span className="font-mono">{item.event}</span>
        {item.deliveryId && (
          <p className="font-mono break-all text-muted" title="The provider’s delivery id">
            {item.deliveryId}
          </p>
        )}
        {item.redeliveryOf && <p className="text-muted">redelivered from the panel</p>}
      </td>
      <td className="px-4 py-3 align-top text-xs whitespace-nowrap">
        {item.deploymentId ? (
          <Link href={`${deploymentsHref}/${item.deploymentId}`} className="underline">
            View
          </Link>
        ) : (
          <span className="text-muted">—</span>
        )}
      </td>
      <td className="px-4 py-3 text-right align-top">
        {canRedeliver && item.redeliverable && short && (
          <DeployActionButton
            kind="redeliver"
            applicationId={applicationId}
            deliveryRowId={item.id}
            commit={short}
            deploymentsHref={deploymentsHref}
          />
        )}
      </td>
    </tr>
  );
}
