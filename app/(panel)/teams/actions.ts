'use server';

// Teams and members. Each domain function checks can() against the actor's membership read under a lock on the
// team row and writes its audit row in the same transaction; teamErrorFrom turns the database's refusals (the last
// owner, a taken name) into messages. The steps around it are formAction's.
import { formAction } from '@/lib/actions/form-action';
import {
  addMember,
  changeMemberRole,
  createTeam,
  deleteTeam,
  leaveTeam,
  removeMember,
  teamErrorFrom,
  updateTeam,
} from '@/lib/teams/mutations';
import {
  addMemberSchema,
  changeMemberRoleSchema,
  createTeamSchema,
  removeMemberSchema,
  teamRefSchema,
  updateTeamSchema,
} from '@/lib/validation/team';

const TEAMS_PATH = '/teams';
const teamPath = (teamId: string) => `${TEAMS_PATH}/${teamId}`;

export const createTeamAction = formAction({
  schema: createTeamSchema,
  keys: ['name', 'description'],
  run: createTeam,
  translate: teamErrorFrom,
  revalidate: [TEAMS_PATH],
  redirect: (team) => teamPath(team.id),
});

export const updateTeamAction = formAction({
  schema: updateTeamSchema,
  keys: ['teamId', 'name', 'description'],
  run: updateTeam,
  translate: teamErrorFrom,
  revalidate: ({ teamId }) => [teamPath(teamId), TEAMS_PATH],
  success: (_, __, values) => ({ message: 'Team saved.', values }),
});

export const deleteTeamAction = formAction({
  schema: teamRefSchema,
  keys: ['teamId'],
  run: deleteTeam,
  translate: teamErrorFrom,
  revalidate: [TEAMS_PATH, '/'], // the dashboard shows team names
  redirect: () => TEAMS_PATH,
});

export const addMemberAction = formAction({
  schema: addMemberSchema,
  keys: ['teamId', 'username', 'role'],
  run: addMember,
  translate: teamErrorFrom,
  revalidate: ({ teamId }) => [teamPath(teamId)],
  success: (_, { username, role }) => `${username} added as ${role}.`,
});

export const changeMemberRoleAction = formAction({
  schema: changeMemberRoleSchema,
  keys: ['teamId', 'userId', 'role'],
  run: changeMemberRole,
  translate: teamErrorFrom,
  revalidate: ({ teamId }) => [teamPath(teamId)],
  success: (changed, { role }) => (changed ? `Now ${role}.` : `Already ${role}.`),
});

export const removeMemberAction = formAction({
  schema: removeMemberSchema,
  keys: ['teamId', 'userId'],
  run: removeMember,
  translate: teamErrorFrom,
  revalidate: ({ teamId }) => [teamPath(teamId)],
  success: ({ username }) => `${username} removed from the team.`,
});

export const leaveTeamAction = formAction({
  schema: teamRefSchema,
  keys: ['teamId'],
  run: leaveTeam,
  translate: teamErrorFrom,
  revalidate: [TEAMS_PATH, '/'], // the team's projects leave the dashboard
  redirect: () => TEAMS_PATH,
});
