import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';

import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { Section } from '@/components/ui/section';
import { DataTable } from '@/components/ui/table';
import { deniedEntry } from '@/lib/audit/refusal';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { recordRefusal } from '@/lib/db/work';
import { env } from '@/lib/env';
import { requestMetaFromHeaders } from '@/lib/http/request-meta';
import { readProxyStatus, RECENT_SYNCS } from '@/lib/proxy/queries';

import { SyncNow } from './_components/sync-now';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Proxy status' };

const RESULT_TEXT: Record<string, string> = {
  loaded: 'loaded',
  unchanged: 'unchanged',
  repaired: 'repaired (the proxy had another config)',
  rejected: 'rejected by Caddy (the previous config keeps running)',
  unreachable: 'proxy unreachable',
};

export default async function ProxyStatusPage() {
  const user = await requireUser();
  if (!can(user, 'settings.manage', { type: 'platform' })) {
    await recordRefusal(
      await getDb(),
      deniedEntry(
        { actor: user, meta: requestMetaFromHeaders(await headers()) },
        { action: 'settings.manage', resourceType: 'user', details: { path: '/settings/proxy' } },
      ),
    );
    notFound();
  }
  const db = await getDb();
  const status = await asSystem(db, (tx) => readProxyStatus(tx));
  const mode = env().SLIPWAY_PROXY;
  const latest = status.recent[0] ?? null;

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Proxy status</h1>
        <p className="max-w-prose text-sm text-muted">
          The edge proxy (Caddy) serves every domain. The panel renders its whole configuration from the database and
          loads it on start, after every change and every 30 seconds; a configuration changed behind its back is put
          back.
        </p>
      </header>

      <Section id="now" title="Now">
        <Card className="space-y-3 p-4 text-sm">
          <p data-testid="proxy-mode">
            Mode: <strong>{mode}</strong>
            {mode === 'off' && ' — no proxy runs; set SLIPWAY_PROXY to swarm or host to serve domains.'}
          </p>
          {latest ? (
            <p data-testid="proxy-last-sync">
              Last sync <DateTime value={latest.startedAt} />:{' '}
              <strong>{RESULT_TEXT[latest.result] ?? latest.result}</strong>, {latest.routeCount} routes.
            </p>
          ) : (
            <p data-testid="proxy-last-sync">No sync yet.</p>
          )}
          {latest?.error && (
            <p
              role="alert"
              className="rounded-md border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
            >
              {latest.error}
            </p>
          )}
          {status.lastGood && status.lastGood.id !== latest?.id && (
            <p>
              Running since <DateTime value={status.lastGood.startedAt} />: the last configuration Caddy accepted (
              {status.lastGood.routeCount} routes).
            </p>
          )}
          <p data-testid="proxy-domains">
            {status.serving} domains serving, {status.pending} waiting for a load.
          </p>
          <SyncNow />
        </Card>
      </Section>

      <Section id="recent" title={`Recent syncs (newest ${RECENT_SYNCS})`}>
        <DataTable headings={['Started', 'Trigger', 'Result', { label: 'Routes', align: 'right' }, 'Error']}>
          {status.recent.map((row) => (
            <tr key={row.id}>
              <td className="px-4 py-2">
                <DateTime value={row.startedAt} />
              </td>
              <td className="px-4 py-2 font-mono text-xs">{row.trigger}</td>
              <td className="px-4 py-2">{RESULT_TEXT[row.result] ?? row.result}</td>
              <td className="px-4 py-2 text-right">{row.routeCount}</td>
              <td className="max-w-md truncate px-4 py-2 text-xs text-muted" title={row.error ?? undefined}>
                {row.error ?? ''}
              </td>
            </tr>
          ))}
        </DataTable>
      </Section>
    </div>
  );
}
