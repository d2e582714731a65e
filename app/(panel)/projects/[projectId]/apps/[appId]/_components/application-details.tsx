// What an application is and runs, as a definition list (server-rendered; no secrets reach here: see lib/applications/queries).
import type { ReactNode } from 'react';

import { DateTime } from '@/components/ui/date-time';
import type { ApplicationView } from '@/lib/applications/queries';

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="space-y-0.5">
      <dt className="text-xs font-medium text-muted">{term}</dt>
      <dd className="text-sm break-words">{children}</dd>
    </div>
  );
}

const mono = (value: string) => <span className="font-mono">{value || '—'}</span>;

export function SourceSummary({ source }: { source: ApplicationView['source'] }) {
  if (source.type === 'docker') return <Item term="Image">{mono(source.image)}</Item>;
  if (source.type === 'compose') {
    return <Item term="Compose services">{source.services.length ? mono(source.services.join(', ')) : '—'}</Item>;
  }
  return (
    <>
      <Item term="Repository">
        {mono(source.repository)} <span className="text-muted">({source.provider})</span>
      </Item>
      <Item term="Branch">{mono(source.branch)}</Item>
      <Item term="Dockerfile / context">
        {mono(source.dockerfile)} <span className="text-muted">in</span> {mono(source.buildContext)}
      </Item>
      <Item term="Last commit">
        {source.commitSha ? mono(source.commitSha.slice(0, 12)) : <span className="text-muted">not built yet</span>}
      </Item>
    </>
  );
}

export function ApplicationDetails({ view, status }: { view: ApplicationView; status: ReactNode }) {
  return (
    <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <Item term="Name">{mono(view.name)}</Item>
      <Item term="Type">{view.type}</Item>
      <Item term="Status">{status}</Item>
      <Item term="Replicas">{view.replicas}</Item>
      <SourceSummary source={view.source} />
      <Item term="Created">
        <DateTime value={view.createdAt} />
      </Item>
      <Item term="Updated">
        <DateTime value={view.updatedAt} />
      </Item>
      {view.deletedAt && (
        <Item term="Archived">
          <DateTime value={view.deletedAt} />
        </Item>
      )}
    </dl>
  );
}
