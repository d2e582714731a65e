'use server';

// Teams and members. Each action: requireUser → safeParse → the domain function, which checks can() against the
// actor's membership read under a lock on the team row and writes its audit row in the same transaction (a refusal
// is audited by runTeamWork in a transaction of its own) → revalidatePath → ActionState or redirect.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { runAsSystem, type WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { Tx } from '@/lib/db/context';
import { getRequestMeta } from '@/lib/http/request-meta';
import {
  addMember,
  changeMemberRole,
  createTeam,
  deleteTeam,
  leaveTeam,
  removeMember,
  runTeamWork,
  updateTeam,
} from '@/lib/teams/teams';
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

/** Refusals about one field (a taken name, an unknown username) are shown beside that field. */
function teamFailure(error: unknown, values?: Record<string, string>): ActionState {
  if (error instanceof AppError && error.options.field) {
    return { ok: false, fieldErrors: { [error.options.field]: [error.message] }, values };
  }
  return actionFailure(error, values);
}

async function run<T>(ctx: WorkContext, work: (tx: Tx, ctx: WorkContext) => Promise<T>): Promise<T> {
  return runTeamWork(await getDb(), ctx, (tx) => work(tx, ctx));
}

async function contextFor(actor: WorkContext['actor']): Promise<WorkContext> {
  return { actor, meta: await getRequestMeta() };
}

export async function createTeamAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['name', 'description']);
  const parsed = createTeamSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let teamId: string;
  try {
    teamId = (await run(await contextFor(user), (tx, ctx) => createTeam(tx, ctx, parsed.data))).id;
  } catch (error) {
    return teamFailure(error, values);
  }
  revalidatePath(TEAMS_PATH);
  redirect(teamPath(teamId));
}

export async function updateTeamAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['teamId', 'name', 'description']);
  const parsed = updateTeamSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await run(await contextFor(user), (tx, ctx) => updateTeam(tx, ctx, parsed.data));
  } catch (error) {
    return teamFailure(error, values);
  }
  revalidatePath(teamPath(parsed.data.teamId));
  revalidatePath(TEAMS_PATH);
  return { ok: true, message: 'Team saved.', values };
}

export async function deleteTeamAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = teamRefSchema.safeParse(formValues(form, ['teamId']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await run(await contextFor(user), (tx, ctx) => deleteTeam(tx, ctx, parsed.data));
  } catch (error) {
    return teamFailure(error);
  }
  revalidatePath(TEAMS_PATH);
  revalidatePath('/'); // the dashboard shows team names
  redirect(TEAMS_PATH);
}

export async function addMemberAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['teamId', 'username', 'role']);
  const parsed = addMemberSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await run(await contextFor(user), (tx, ctx) => addMember(tx, ctx, parsed.data));
  } catch (error) {
    return teamFailure(error, values);
  }
  revalidatePath(teamPath(parsed.data.teamId));
  return { ok: true, message: `${parsed.data.username} added as ${parsed.data.role}.` };
}

export async function changeMemberRoleAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['teamId', 'userId', 'role']);
  const parsed = changeMemberRoleSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let changed: boolean;
  try {
    changed = await run(await contextFor(user), (tx, ctx) => changeMemberRole(tx, ctx, parsed.data));
  } catch (error) {
    return teamFailure(error, values);
  }
  revalidatePath(teamPath(parsed.data.teamId));
  return { ok: true, message: changed ? `Now ${parsed.data.role}.` : `Already ${parsed.data.role}.` };
}

export async function removeMemberAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = removeMemberSchema.safeParse(formValues(form, ['teamId', 'userId']));
  if (!parsed.success) return invalid(parsed.error);
  let username: string;
  try {
    username = (await run(await contextFor(user), (tx, ctx) => removeMember(tx, ctx, parsed.data))).username;
  } catch (error) {
    return teamFailure(error);
  }
  revalidatePath(teamPath(parsed.data.teamId));
  return { ok: true, message: `${username} removed from the team.` };
}

export async function leaveTeamAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = teamRefSchema.safeParse(formValues(form, ['teamId']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await run(await contextFor(user), (tx, ctx) => leaveTeam(tx, ctx, parsed.data));
  } catch (error) {
    return teamFailure(error);
  }
  revalidatePath(TEAMS_PATH);
  revalidatePath('/'); // the team's projects leave the dashboard
  redirect(TEAMS_PATH);
}
