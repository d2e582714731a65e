// Who may do what to a team: its row locked first (so changes to one team take turns and the owner count read under
// the lock stays true until commit), can() checked against the actor's membership read under that lock, and every
// refusal carrying its authz.denied audit entry (recorded by runAsUser though the transaction rolls back). Someone
// who is not a member gets not-found, so the team's existence is not confirmed.
import { deniedEntry } from '@/lib/audit/refusal';
import { assertCan, type Action, type TeamRole } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError, type AppErrorCode } from '@/lib/errors';

const NOT_A_MEMBER_MESSAGE = 'This team does not exist, or you are not a member of it.';
const OWNERS_ONLY_MESSAGE = 'Only a team owner can give, change or remove the owner role.';

export type TeamAction = 'team.update' | 'team.delete' | 'team.manage_members' | 'team.leave';

export function denyTeam(
  ctx: WorkContext,
  action: Action,
  teamId: string | null,
  message: string,
  code: AppErrorCode = 'forbidden',
  extra: Record<string, unknown> = {},
): never {
  throw new AppError(code, message, {
    audit: deniedEntry(ctx, { action, resourceType: 'team', resourceId: teamId, details: extra }),
  });
}

export type LockedTeam = { id: string; name: string; description: string | null; myRole: TeamRole };

/** The team row, locked until the transaction ends, and the actor's role in it; refuses unless `action` is allowed. */
export async function lockTeam(tx: Tx, ctx: WorkContext, teamId: string, action: TeamAction): Promise<LockedTeam> {
  const rows = await tx.$queryRaw<{ id: string; name: string; description: string | null; role: string | null }[]>`
    SELECT t.id, t.name, t.description, m.role
      FROM teams t LEFT JOIN team_members m ON m.team_id = t.id AND m.user_id = ${ctx.actor.id}::uuid
     WHERE t.id = ${teamId}::uuid
       FOR UPDATE OF t`;
  const row = rows[0];
  // Not a member: not found, so the team's existence is not confirmed.
  if (!row?.role) denyTeam(ctx, action, teamId, NOT_A_MEMBER_MESSAGE, 'not_found');
  const team = { id: row.id, name: row.name, description: row.description, myRole: row.role as TeamRole };
  try {
    assertCan(ctx.actor, action, { type: 'team', teamRole: team.myRole });
  } catch (error) {
    if (error instanceof AppError) denyTeam(ctx, action, teamId, error.message, 'forbidden', { teamRole: team.myRole });
    throw error;
  }
  return team;
}

/** can() knows the actor's team role, not the target's: only owners give, change or remove the owner role. */
export function requireOwner(ctx: WorkContext, team: LockedTeam, details: Record<string, unknown>) {
  if (team.myRole !== 'owner') denyTeam(ctx, 'team.manage_members', team.id, OWNERS_ONLY_MESSAGE, 'forbidden', details);
}
