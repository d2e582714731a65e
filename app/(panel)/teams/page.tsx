import type { Metadata } from 'next';
import Link from 'next/link';

import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Section } from '@/components/ui/section';
import { DataTable } from '@/components/ui/table';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { listMyTeams, type TeamSummary } from '@/lib/teams/queries';

import { CreateTeamForm } from './_components/team-forms';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Teams' };

export default async function TeamsPage() {
  const user = await requireUser();
  const teams = await asUser(await getDb(), user.id, (tx) => listMyTeams(tx, user.id));
  // Platform viewers read; they create nothing (docs/permissions.md).
  const mayCreate = can(user, 'team.create', { type: 'platform' });

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Teams</h1>
        <p className="max-w-prose text-sm text-muted">
          A team shares projects: every member sees the team’s projects, and owners, admins and members work on them.
          Every team keeps at least one owner.
        </p>
      </header>

      <Section id="your-teams" title="Your teams">
        {teams.length === 0 ? (
          <EmptyState title="You are not in a team yet">
            <p>
              {mayCreate
                ? 'Create one below, or ask a team’s owner or admin to add you by your username.'
                : 'Ask a team’s owner or admin to add you by your username.'}
            </p>
          </EmptyState>
        ) : (
          <TeamTable teams={teams} />
        )}
      </Section>

      {mayCreate && (
        <Section id="new-team" title="New team">
          <Card className="max-w-xl p-4">
            <CreateTeamForm />
          </Card>
        </Section>
      )}
    </div>
  );
}

function TeamTable({ teams }: { teams: TeamSummary[] }) {
  return (
    <DataTable
      headings={['Team', 'Your role', { label: 'Members', align: 'right' }, { label: 'Projects', align: 'right' }]}
    >
      {teams.map((team) => (
        <tr key={team.id} className="align-top hover:bg-subtle/40">
          <th scope="row" className="min-w-48 px-4 py-3 font-normal">
            <Link href={`/teams/${team.id}`} className="font-medium hover:underline">
              {team.name}
            </Link>
            {team.description && <p className="mt-0.5 line-clamp-2 max-w-md text-xs text-muted">{team.description}</p>}
          </th>
          <td className="px-4 py-3">
            <Badge tone={team.role === 'owner' ? 'violet' : 'neutral'}>{team.role}</Badge>
          </td>
          <td className="px-4 py-3 text-right tabular-nums">{team.memberCount}</td>
          <td className="px-4 py-3 text-right tabular-nums">{team.projectCount}</td>
        </tr>
      ))}
    </DataTable>
  );
}
