// Reading teams for the teams pages: the teams a person belongs to, and one team with its members. Run as the user:
// projects has row-level security, so the counts are of what they can open.
import type { TeamRole } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import { teamIdSchema } from '@/lib/validation/team';

export type TeamSummary = {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
  role: TeamRole;
  memberCount: number;
  projectCount: number;
};
export type TeamMemberItem = { userId: string; username: string; role: TeamRole; joinedAt: Date; disabled: boolean };
export type TeamDetail = {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
  myRole: TeamRole;
  members: TeamMemberItem[];
};

export const ROLE_RANK: Readonly<Record<TeamRole, number>> = { owner: 0, admin: 1, member: 2, viewer: 3 };

/** The teams `userId` belongs to, by name, with their role in each. */
export async function listMyTeams(tx: Tx, userId: string): Promise<TeamSummary[]> {
  const rows = await tx.teamMember.findMany({
    where: { userId },
    orderBy: [{ team: { name: 'asc' } }, { teamId: 'asc' }],
    select: {
      role: true,
      team: {
        select: {
          id: true,
          name: true,
          description: true,
          createdAt: true,
          // projects has row-level security: run as the user, this counts the projects they can open.
          _count: { select: { members: true, projects: true } },
        },
      },
    },
  });
  return rows.map(({ role, team: { _count, ...team } }) => ({
    ...team,
    role: role as TeamRole,
    memberCount: _count.members,
    projectCount: _count.projects,
  }));
}

/** The team with its members, or null when it does not exist or `userId` is not a member (the page: not found). */
export async function getTeamForUser(tx: Tx, teamId: string, userId: string): Promise<TeamDetail | null> {
  if (!teamIdSchema.safeParse(teamId).success) return null;
  const team = await tx.team.findFirst({
    where: { id: teamId, members: { some: { userId } } },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      members: {
        select: { userId: true, role: true, joinedAt: true, user: { select: { username: true, disabledAt: true } } },
      },
    },
  });
  if (!team) return null;
  const members = team.members
    .map((m) => ({
      userId: m.userId,
      username: m.user.username,
      role: m.role as TeamRole,
      joinedAt: m.joinedAt,
      disabled: m.user.disabledAt !== null,
    }))
    .sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role] || a.username.localeCompare(b.username));
  const myRole = members.find((m) => m.userId === userId)!.role;
  return { id: team.id, name: team.name, description: team.description, createdAt: team.createdAt, myRole, members };
}
