// Creating, changing and deleting teams and their members. Each runs in the caller's transaction as the actor: it
// locks the team row and checks can() first (lib/teams/access.ts), then writes its audit row in the same
// transaction. Run them with runAsUser(…, teamErrorFrom): the database's own refusals (the last owner, a taken name)
// become messages for the person.
import { recordAudit, type AuditEntry } from '@/lib/audit/write';
import { assertCan, type TeamRole } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import { driverCause } from '@/lib/db/errors';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import {
  addMemberSchema,
  changeMemberRoleSchema,
  createTeamSchema,
  removeMemberSchema,
  teamRefSchema,
  updateTeamSchema,
  type AddMemberInput,
  type ChangeMemberRoleInput,
  type CreateTeamInput,
  type RemoveMemberInput,
  type TeamRefInput,
  type UpdateTeamInput,
} from '@/lib/validation/team';

import { denyTeam, lockTeam, requireOwner } from './access';

export const LAST_OWNER_MESSAGE = 'A team must keep at least one owner: make someone else owner first.';
export const TEAM_NAME_TAKEN_MESSAGE = 'A team with that name exists: choose another name.';

/** The database's refusals a person can act on, as AppErrors; anything else unchanged. */
export function teamErrorFrom(error: unknown): unknown {
  const cause = driverCause(error);
  // team_keeps_owner (D11): the driver adapter drops the constraint name, so its message identifies it.
  if (cause?.originalCode === '23514' && cause.originalMessage?.includes('must keep at least one owner')) {
    return new AppError('conflict', LAST_OWNER_MESSAGE);
  }
  if (cause?.originalCode === '23505' && cause.originalMessage?.includes('"teams_name_key"')) {
    return new AppError('conflict', TEAM_NAME_TAKEN_MESSAGE, { field: 'name' });
  }
  return error;
}

async function mapped<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    throw teamErrorFrom(error);
  }
}

function teamEntry(
  ctx: WorkContext,
  action: string,
  teamId: string | null,
  details: Record<string, unknown>,
): AuditEntry {
  return {
    userId: ctx.actor.id,
    action,
    resourceType: 'team',
    resourceId: teamId,
    details,
    ip: ctx.meta?.ip ?? null,
    userAgent: ctx.meta?.userAgent ?? null,
  };
}

// The clear message; team_keeps_owner in the database refuses the same change if this check is ever missed.
async function assertAnotherOwner(tx: Tx, teamId: string) {
  const owners = await tx.teamMember.count({ where: { teamId, role: 'owner' } });
  if (owners <= 1) throw new AppError('conflict', LAST_OWNER_MESSAGE);
}

async function findMember(tx: Tx, teamId: string, userId: string) {
  const member = await tx.teamMember.findUnique({
    where: { userId_teamId: { userId, teamId } },
    select: { id: true, role: true, user: { select: { username: true } } },
  });
  if (!member) throw new AppError('not_found', 'This person is no longer a member of the team: reload the page.');
  return { id: member.id, role: member.role as TeamRole, username: member.user.username };
}

/** A new team with the actor as its owner, in one transaction (the database insists a team keeps an owner). */
export async function createTeam(
  tx: Tx,
  ctx: WorkContext,
  input: CreateTeamInput,
): Promise<{ id: string; name: string }> {
  const { name, description } = createTeamSchema.parse(input);
  try {
    assertCan(ctx.actor, 'team.create', { type: 'platform' });
  } catch (error) {
    if (error instanceof AppError) denyTeam(ctx, 'team.create', null, error.message, 'forbidden', { name });
    throw error;
  }
  const team = await mapped(
    tx.team.create({
      data: { name, description, members: { create: { userId: ctx.actor.id, role: 'owner' } } },
      select: { id: true, name: true },
    }),
  );
  await recordAudit(tx, teamEntry(ctx, 'team.create', team.id, { name }));
  return team;
}

export async function updateTeam(
  tx: Tx,
  ctx: WorkContext,
  input: UpdateTeamInput,
): Promise<{ id: string; name: string }> {
  const { teamId, name, description } = updateTeamSchema.parse(input);
  const team = await lockTeam(tx, ctx, teamId, 'team.update');
  if (team.name === name && team.description === description) return { id: teamId, name };
  await mapped(tx.team.update({ where: { id: teamId }, data: { name, description } }));
  const details = {
    name,
    ...(team.name !== name && { previousName: team.name }),
    descriptionChanged: team.description !== description,
  };
  await recordAudit(tx, teamEntry(ctx, 'team.update', teamId, details));
  return { id: teamId, name };
}

/** Owners only. The team's projects stay with their owners, no longer shared (projects.team_id becomes NULL). */
export async function deleteTeam(
  tx: Tx,
  ctx: WorkContext,
  input: TeamRefInput,
): Promise<{ name: string; projectsUnshared: number }> {
  const { teamId } = teamRefSchema.parse(input);
  const team = await lockTeam(tx, ctx, teamId, 'team.delete');
  const projectsUnshared = await tx.project.count({ where: { teamId } });
  await tx.team.delete({ where: { id: teamId } });
  await recordAudit(tx, teamEntry(ctx, 'team.delete', teamId, { name: team.name, projectsUnshared }));
  return { name: team.name, projectsUnshared };
}

export async function addMember(tx: Tx, ctx: WorkContext, input: AddMemberInput): Promise<{ userId: string }> {
  const { teamId, username, role } = addMemberSchema.parse(input);
  const team = await lockTeam(tx, ctx, teamId, 'team.manage_members');
  if (role === 'owner') requireOwner(ctx, team, { username, role });
  const user = await tx.user.findUnique({ where: { username }, select: { id: true, disabledAt: true } });
  if (!user) {
    throw new AppError(
      'not_found',
      `There is no user named "${username}". Check the spelling (usernames are lowercase).`,
      { field: 'username' },
    );
  }
  if (user.disabledAt)
    throw new AppError('invalid', `The account "${username}" is disabled: it cannot join a team.`, {
      field: 'username',
    });
  const existing = await tx.teamMember.findUnique({
    where: { userId_teamId: { userId: user.id, teamId } },
    select: { role: true },
  });
  if (existing) {
    throw new AppError('conflict', `${username} is already a member of this team (${existing.role}).`, {
      field: 'username',
    });
  }
  await tx.teamMember.create({ data: { teamId, userId: user.id, role } });
  await recordAudit(tx, teamEntry(ctx, 'team.member_add', teamId, { username, role }));
  return { userId: user.id };
}

/** Returns false when the member already had that role (nothing changed, nothing audited). */
export async function changeMemberRole(tx: Tx, ctx: WorkContext, input: ChangeMemberRoleInput): Promise<boolean> {
  const { teamId, userId, role } = changeMemberRoleSchema.parse(input);
  const team = await lockTeam(tx, ctx, teamId, 'team.manage_members');
  const member = await findMember(tx, teamId, userId);
  if (member.role === role) return false;
  const change = { username: member.username, from: member.role, to: role };
  if (member.role === 'owner' || role === 'owner') requireOwner(ctx, team, change);
  if (member.role === 'owner') await assertAnotherOwner(tx, teamId);
  await tx.teamMember.update({ where: { id: member.id }, data: { role } });
  await recordAudit(tx, teamEntry(ctx, 'team.member_role_change', teamId, change));
  return true;
}

export async function removeMember(tx: Tx, ctx: WorkContext, input: RemoveMemberInput): Promise<{ username: string }> {
  const { teamId, userId } = removeMemberSchema.parse(input);
  const team = await lockTeam(tx, ctx, teamId, 'team.manage_members');
  const member = await findMember(tx, teamId, userId);
  if (member.role === 'owner') {
    requireOwner(ctx, team, { username: member.username, role: member.role });
    await assertAnotherOwner(tx, teamId);
  }
  await tx.teamMember.delete({ where: { id: member.id } });
  await recordAudit(tx, teamEntry(ctx, 'team.member_remove', teamId, { username: member.username, role: member.role }));
  return { username: member.username };
}

/** Any member may leave, a platform viewer too; the last owner may not (hand ownership over or delete the team). */
export async function leaveTeam(tx: Tx, ctx: WorkContext, input: TeamRefInput): Promise<{ name: string }> {
  const { teamId } = teamRefSchema.parse(input);
  const team = await lockTeam(tx, ctx, teamId, 'team.leave');
  if (team.myRole === 'owner') await assertAnotherOwner(tx, teamId);
  await tx.teamMember.delete({ where: { userId_teamId: { userId: ctx.actor.id, teamId } } });
  await recordAudit(tx, teamEntry(ctx, 'team.leave', teamId, { role: team.myRole }));
  return { name: team.name };
}
