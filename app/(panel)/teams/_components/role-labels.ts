import type { TeamRole } from '@/lib/auth/permissions';

export const TEAM_ROLE_LABELS: Readonly<Record<TeamRole, string>> = {
  owner: 'Owner — everything, including owners and deleting the team',
  admin: 'Admin — manages the team and its non-owner members',
  member: 'Member — works on the team’s projects',
  viewer: 'Viewer — reads the team’s projects',
};
