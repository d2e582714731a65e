// Teams and their members: what a person may submit, shared by the forms, their actions and lib/teams (which parses
// again, so every door refuses the same things). The database checks the name length and the roles too.
import { z } from 'zod';

import { TEAM_ROLES } from '@/lib/auth/permissions';

import { idSchema } from './ids';
import { TEAM_DESCRIPTION_MAX, TEAM_NAME_MAX, TEAM_NAME_MIN } from './rules';
import { usernameSchema } from './user';

export { TEAM_DESCRIPTION_MAX, TEAM_NAME_MAX, TEAM_NAME_MIN } from './rules';

const NAME_LENGTH = `A team name has ${TEAM_NAME_MIN} to ${TEAM_NAME_MAX} characters.`;

export const teamNameSchema = z
  .string('Give the team a name.')
  .trim()
  .min(TEAM_NAME_MIN, NAME_LENGTH)
  .max(TEAM_NAME_MAX, NAME_LENGTH)
  // Names are shown in lists, page titles and the audit log: no control characters (line breaks, escapes).
  .regex(/^[^\p{Cc}]+$/u, 'A team name cannot contain control characters such as line breaks.');

/** Optional: blank, missing or null becomes null (so parsed output parses again). */
export const teamDescriptionSchema = z
  .string()
  .trim()
  .max(TEAM_DESCRIPTION_MAX, `A description has at most ${TEAM_DESCRIPTION_MAX} characters.`)
  .nullish()
  .transform((value) => (value ? value : null));

export const teamRoleSchema = z.enum(TEAM_ROLES, { message: 'Choose one of: owner, admin, member, viewer.' });

/** Ids arrive from hidden fields: a bad one means a stale or edited page, not a typing mistake. */
export const teamIdSchema = idSchema('team');
const memberUserIdSchema = idSchema('member');

export const createTeamSchema = z.object({ name: teamNameSchema, description: teamDescriptionSchema });
export type CreateTeamInput = z.input<typeof createTeamSchema>;

export const updateTeamSchema = z.object({
  teamId: teamIdSchema,
  name: teamNameSchema,
  description: teamDescriptionSchema,
});
export type UpdateTeamInput = z.input<typeof updateTeamSchema>;

/** deleteTeam and leaveTeam. */
export const teamRefSchema = z.object({ teamId: teamIdSchema });
export type TeamRefInput = z.input<typeof teamRefSchema>;

export const addMemberSchema = z.object({
  teamId: teamIdSchema,
  username: usernameSchema,
  role: teamRoleSchema,
});
export type AddMemberInput = z.input<typeof addMemberSchema>;

export const changeMemberRoleSchema = z.object({
  teamId: teamIdSchema,
  userId: memberUserIdSchema,
  role: teamRoleSchema,
});
export type ChangeMemberRoleInput = z.input<typeof changeMemberRoleSchema>;

export const removeMemberSchema = z.object({ teamId: teamIdSchema, userId: memberUserIdSchema });
export type RemoveMemberInput = z.input<typeof removeMemberSchema>;
