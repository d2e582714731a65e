import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';

import { Badge } from '@/components/ui/badge';
import { Breadcrumbs } from '@/components/ui/breadcrumbs';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { Section } from '@/components/ui/section';
import { DataTable } from '@/components/ui/table';
import { deniedEntry } from '@/lib/audit/refusal';
import { can, TEAM_ROLES, type ResourceOf } from '@/lib/auth/permissions';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { recordRefusal } from '@/lib/db/work';
import { getRequestMeta } from '@/lib/http/request-meta';
import { getTeamForUser, type TeamDetail } from '@/lib/teams/queries';

import { AddMemberForm, MemberControls } from '../_components/member-forms';
import { DeleteTeamButton, LeaveTeamButton } from '../_components/team-buttons';
import { TeamSettingsForm } from '../_components/team-forms';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ teamId: string }> };

// Shared by generateMetadata and the page: one read per request.
const loadTeam = cache(async (teamId: string) => {
  const user = await requireUser();
  const team = await asUser(await getDb(), user.id, (tx) => getTeamForUser(tx, teamId, user.id));
  return { user, team };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { team } = await loadTeam((await params).teamId);
  return { title: team ? team.name : 'Page not found' };
}

/** A team the user is not in looks like one that does not exist; the attempt is still audited. */
async function recordDenied(user: SessionUser, teamId: string) {
  const ctx = { actor: user, meta: await getRequestMeta() };
  const details = { teamId: teamId.slice(0, 100) };
  await recordRefusal(
    await getDb(),
    deniedEntry(ctx, { action: 'team.read', resourceType: 'team', resourceId: teamId, details }),
  );
}

export default async function TeamPage({ params }: Props) {
  const { teamId } = await params;
  const { user, team } = await loadTeam(teamId);
  const resource: ResourceOf<'team'> = { type: 'team', teamRole: team?.myRole ?? null };
  if (!team || !can(user, 'team.read', resource)) {
    await recordDenied(user, teamId);
    notFound();
  }
  // What this person may do; platform viewers and team viewers get a read-only page (leaving touches only them).
  const may = {
    update: can(user, 'team.update', resource),
    manage: can(user, 'team.manage_members', resource),
    delete: can(user, 'team.delete', resource),
    leave: can(user, 'team.leave', resource),
  };
  // Only owners give, change or remove the owner role (lib/teams enforces it too).
  const isOwner = team.myRole === 'owner';
  const assignable = isOwner ? TEAM_ROLES : TEAM_ROLES.filter((role) => role !== 'owner');

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <Breadcrumbs items={[{ label: 'Teams', href: '/teams' }, { label: team.name }]} />
        <h1 className="text-2xl font-semibold tracking-tight">{team.name}</h1>
        {team.description && <p className="max-w-prose text-sm whitespace-pre-line text-muted">{team.description}</p>}
        <p className="text-sm text-muted">
          You are <Badge tone={isOwner ? 'violet' : 'neutral'}>{team.myRole}</Badge> · created{' '}
          <DateTime value={team.createdAt} />
        </p>
      </header>

      <Section id="members" title={`Members (${team.members.length})`}>
        <MemberTable team={team} userId={user.id} manage={may.manage} isOwner={isOwner} assignable={assignable} />
      </Section>

      {may.manage && (
        <Section id="add-member" title="Add a member">
          <Card className="p-4">
            <AddMemberForm teamId={team.id} roles={assignable} />
          </Card>
        </Section>
      )}

      {may.update && (
        <Section id="settings" title="Settings">
          <Card className="max-w-xl p-4">
            <TeamSettingsForm teamId={team.id} name={team.name} description={team.description} />
          </Card>
        </Section>
      )}

      {(may.leave || may.delete) && (
        <Section id="membership" title="Leave or delete">
          <Card className="flex flex-col gap-6 p-4 sm:flex-row sm:items-start sm:justify-between">
            {may.leave && (
              <div className="space-y-2">
                <p className="max-w-prose text-sm text-muted">
                  {isOwner
                    ? 'If you are the only owner, make someone else owner first.'
                    : 'You lose access to the team’s projects.'}
                </p>
                <LeaveTeamButton teamId={team.id} teamName={team.name} />
              </div>
            )}
            {may.delete && (
              <div className="space-y-2">
                <p className="max-w-prose text-sm text-muted">
                  Deleting the team removes every membership. Its projects stay with their owners, no longer shared.
                </p>
                <DeleteTeamButton teamId={team.id} teamName={team.name} />
              </div>
            )}
          </Card>
        </Section>
      )}
    </div>
  );
}

function MemberTable({
  team,
  userId,
  manage,
  isOwner,
  assignable,
}: {
  team: TeamDetail;
  userId: string;
  manage: boolean;
  isOwner: boolean;
  assignable: readonly (typeof TEAM_ROLES)[number][];
}) {
  return (
    <DataTable
      headings={[
        'Member',
        'Role',
        'Joined',
        ...(manage ? [{ label: 'Actions', align: 'right' as const, hidden: true }] : []),
      ]}
    >
      {team.members.map((member) => {
        // A team admin leaves owners alone; nobody removes themself here (that is "Leave team").
        const editable = manage && (member.role !== 'owner' || isOwner);
        return (
          <tr key={member.userId} className="align-top">
            <th scope="row" className="px-4 py-3 font-medium">
              {member.username}
              {member.userId === userId && <span className="ml-1 font-normal text-muted">(you)</span>}
              {member.disabled && (
                <Badge tone="muted" className="ml-2">
                  disabled
                </Badge>
              )}
            </th>
            <td className="px-4 py-3">
              <Badge tone={member.role === 'owner' ? 'violet' : 'neutral'}>{member.role}</Badge>
            </td>
            <td className="px-4 py-3 whitespace-nowrap text-muted">
              <DateTime value={member.joinedAt} />
            </td>
            {manage && (
              <td className="px-4 py-2">
                {editable && (
                  <MemberControls
                    teamId={team.id}
                    userId={member.userId}
                    username={member.username}
                    role={member.role}
                    roles={assignable}
                    removable={member.userId !== userId}
                  />
                )}
              </td>
            )}
          </tr>
        );
      })}
    </DataTable>
  );
}
