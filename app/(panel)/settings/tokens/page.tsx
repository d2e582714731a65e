import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { Section } from '@/components/ui/section';
import { DataTable } from '@/components/ui/table';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { listApiTokens, type ApiTokenStatus, type ApiTokenSummary } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';

import { CreateTokenForm, RevokeTokenButton } from './_components/create-token-form';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'API tokens' };

const STATUS: Record<ApiTokenStatus, { label: string; tone: BadgeTone }> = {
  active: { label: 'Active', tone: 'green' },
  expired: { label: 'Expired', tone: 'amber' },
  revoked: { label: 'Revoked', tone: 'red' },
};

export default async function TokensPage() {
  const user = await requireUser();
  // Users list only their own tokens (docs/permissions.md); a disabled account never gets this far.
  if (!can(user, 'token.list', { type: 'token', userId: user.id })) notFound();
  const tokens = await asUser(await getDb(), user.id, (tx) => listApiTokens(tx, user.id));

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">API tokens</h1>
        <p className="max-w-prose text-sm text-muted">
          A token lets a script or CI job call Slipway as you, with{' '}
          <code className="rounded bg-subtle px-1 py-0.5 font-mono text-foreground">Authorization: Bearer slw_…</code>.
          It has your role at the time of each request, never more: it stops working when it expires, when it is
          revoked, or while your account is disabled.
        </p>
      </header>

      <Section id="new-token" title="New token">
        <Card className="p-4">
          <CreateTokenForm />
        </Card>
      </Section>

      <Section id="your-tokens" title="Your tokens">
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens yet">
            <p>Create one above; it is shown once, when you create it.</p>
          </EmptyState>
        ) : (
          <TokenTable tokens={tokens} />
        )}
      </Section>
    </div>
  );
}

function TokenTable({ tokens }: { tokens: ApiTokenSummary[] }) {
  return (
    <DataTable
      headings={[
        'Name',
        'Created',
        'Expires',
        'Last used',
        'Status',
        { label: 'Actions', align: 'right', hidden: true },
      ]}
    >
      {tokens.map((token) => (
        <tr key={token.id} className={token.status === 'active' ? undefined : 'text-muted'}>
          <th scope="row" className="max-w-64 truncate px-4 py-2.5 font-medium" title={token.name}>
            {token.name}
          </th>
          <td className="px-4 py-2.5 whitespace-nowrap">
            <DateTime value={token.createdAt} />
          </td>
          <td className="px-4 py-2.5 whitespace-nowrap">
            <DateTime value={token.expiresAt} />
          </td>
          <td className="px-4 py-2.5 whitespace-nowrap">
            {token.lastUsedAt ? <DateTime value={token.lastUsedAt} /> : 'Never'}
          </td>
          <td className="px-4 py-2.5 whitespace-nowrap">
            <Badge tone={STATUS[token.status].tone}>{STATUS[token.status].label}</Badge>
            {token.revokedAt && (
              <span className="ml-2 text-xs">
                <DateTime value={token.revokedAt} />
              </span>
            )}
          </td>
          <td className="px-4 py-1.5 text-right">
            {token.status === 'active' && <RevokeTokenButton tokenId={token.id} name={token.name} />}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
