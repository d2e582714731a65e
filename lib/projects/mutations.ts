// Creating, editing, moving and deleting projects. Each function runs in the caller's asUser() transaction (call it
// through runAsUser), authorizes first (requireProjectAccess, or can() for project.create), parses its input again,
// mutates, and writes its audit row in the same transaction. Row-level security and the projects_keep_owner trigger
// refuse the same things underneath (D7); their refusals are turned into the messages the checks here give.
import { deniedEntry } from '@/lib/audit/refusal';
import { recordAudit } from '@/lib/audit/write';
import { can, WRITING_TEAM_ROLES } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import { driverCause, isUniqueViolation } from '@/lib/db/errors';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import { refusal, requireProjectAccess } from '@/lib/projects/access';
import {
  createProjectSchema,
  deleteProjectSchema,
  moveProjectSchema,
  updateProjectSchema,
  type CreateProjectInput,
  type DeleteProjectInput,
  type MoveProjectInput,
  type UpdateProjectInput,
} from '@/lib/validation/project';

import { blockingVolumes, countCascade, describeBlockingVolumes } from './delete-preview';

const NAME_UNIQUE = 'projects_owner_id_name_key';
const TEAM_NOT_FOUND = 'This team does not exist, or you are not a member of it: choose one of your teams.';

const nameTaken = (name: string, actorIsOwner: boolean) =>
  new AppError(
    'conflict',
    actorIsOwner
      ? `You already have a project named “${name}”: choose another name.`
      : `The project's owner already has a project named “${name}”: choose another name.`,
    { field: 'name' },
  );

/** The team, when the actor may put projects in it (owner, admin or member); otherwise an audited refusal. */
async function requireWritingTeam(
  tx: Tx,
  ctx: WorkContext,
  teamId: string,
  action: 'project.create' | 'project.move_team',
) {
  const membership = await tx.teamMember.findUnique({
    where: { userId_teamId: { userId: ctx.actor.id, teamId } },
    select: { role: true, team: { select: { id: true, name: true } } },
  });
  const audit = deniedEntry(ctx, { action, resourceType: 'team', resourceId: teamId });
  if (!membership) throw new AppError('not_found', TEAM_NOT_FOUND, { field: 'teamId', audit });
  if (!(WRITING_TEAM_ROLES as readonly string[]).includes(membership.role)) {
    const message = `You are a ${membership.role} of ${membership.team.name}: only its owners, admins and members can put projects in it.`;
    throw new AppError('forbidden', message, { field: 'teamId', audit });
  }
  return membership.team;
}

// The database refusing what the checks above already refuse (a race, or a missed case): the same answers.
function translateWriteError(error: unknown, name: string, actorIsOwner: boolean): unknown {
  if (isUniqueViolation(error, NAME_UNIQUE)) return nameTaken(name, actorIsOwner);
  if (driverCause(error)?.originalCode === '42501') {
    return new AppError(
      'forbidden',
      'You cannot put this project in that team: choose one of your teams where you are an owner, admin or member.',
      { field: 'teamId' },
    );
  }
  return error;
}

type Metadata = Record<string, unknown>;
const asObject = (value: unknown): Metadata =>
  value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Metadata) } : {};

/** metadata with its tags replaced (the key removed when there are none), every other key kept. */
function withTags(metadata: unknown, tags: string[]): Metadata {
  const next = asObject(metadata);
  delete next.tags;
  return tags.length > 0 ? { ...next, tags } : next;
}

export async function createProject(
  tx: Tx,
  ctx: WorkContext,
  input: CreateProjectInput,
): Promise<{ id: string; name: string }> {
  if (!can(ctx.actor, 'project.create', { type: 'platform' })) {
    throw refusal(
      ctx,
      { action: 'project.create', resourceType: 'project', resourceId: null, notFoundMessage: '' },
      true,
    );
  }
  const { name, description, tags, teamId } = createProjectSchema.parse(input);
  const team = teamId ? await requireWritingTeam(tx, ctx, teamId, 'project.create') : null;
  // Asked first for a clear message without aborting the transaction; the unique index still decides under races.
  if (await tx.project.findFirst({ where: { ownerId: ctx.actor.id, name }, select: { id: true } }))
    throw nameTaken(name, true);

  let project: { id: string; name: string };
  try {
    project = await tx.project.create({
      data: {
        name,
        description,
        ownerId: ctx.actor.id,
        teamId: team?.id ?? null,
        metadata: withTags({}, tags) as Prisma.InputJsonObject,
      },
      select: { id: true, name: true },
    });
  } catch (error) {
    throw translateWriteError(error, name, true);
  }
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'project.create',
    resourceType: 'project',
    resourceId: project.id,
    details: { name, teamId: team?.id ?? null, teamName: team?.name ?? null, tags },
    ...ctx.meta,
  });
  return project;
}

export type ProjectChange<T> = { from: T; to: T };

/** Saves name, description and tags; returns what changed (nothing written or audited when nothing did). */
export async function updateProject(
  tx: Tx,
  ctx: WorkContext,
  input: UpdateProjectInput,
): Promise<{ changed: string[] }> {
  const { projectId, name, description, tags } = updateProjectSchema.parse(input);
  const access = await requireProjectAccess(tx, ctx, projectId, 'project.update');
  // Locked, so metadata read here is still what is there when the other keys are written back.
  const [current] = await tx.$queryRaw<{ name: string; description: string | null; metadata: unknown }[]>`
    SELECT name, description, metadata FROM projects WHERE id = ${projectId}::uuid FOR UPDATE`;
  if (!current)
    throw refusal(
      ctx,
      {
        action: 'project.update',
        resourceType: 'project',
        resourceId: projectId,
        notFoundMessage: 'This project was just deleted.',
      },
      false,
    );

  const currentTags = asObject(current.metadata).tags;
  const changes: Record<string, ProjectChange<unknown>> = {};
  if (current.name !== name) changes.name = { from: current.name, to: name };
  if (current.description !== description) changes.description = { from: current.description, to: description };
  if (JSON.stringify(Array.isArray(currentTags) ? currentTags : []) !== JSON.stringify(tags))
    changes.tags = { from: currentTags ?? [], to: tags };
  if (Object.keys(changes).length === 0) return { changed: [] };

  const actorIsOwner = access.ownerId === ctx.actor.id;
  try {
    await tx.project.update({
      where: { id: projectId },
      data: { name, description, metadata: withTags(current.metadata, tags) as Prisma.InputJsonObject },
    });
  } catch (error) {
    throw translateWriteError(error, name, actorIsOwner);
  }
  // A description can be long: the audit row says that it changed, not the whole text twice.
  const details = { ...changes, ...(changes.description ? { description: { changed: true } } : {}) };
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'project.update',
    resourceType: 'project',
    resourceId: projectId,
    details,
    ...ctx.meta,
  });
  return { changed: Object.keys(changes) };
}

/** Moves the project into one of the actor's teams (owner/admin/member there) or back to personal (teamId null). */
export async function moveProjectToTeam(
  tx: Tx,
  ctx: WorkContext,
  input: MoveProjectInput,
): Promise<{ moved: boolean; team: { id: string; name: string } | null }> {
  const { projectId, teamId } = moveProjectSchema.parse(input);
  const access = await requireProjectAccess(tx, ctx, projectId, 'project.move_team');
  const team = teamId ? await requireWritingTeam(tx, ctx, teamId, 'project.move_team') : null;
  if (access.teamId === (team?.id ?? null)) return { moved: false, team };

  const from = access.teamId
    ? await tx.team.findUnique({ where: { id: access.teamId }, select: { id: true, name: true } })
    : null;
  try {
    await tx.project.update({ where: { id: projectId }, data: { teamId: team?.id ?? null } });
  } catch (error) {
    throw translateWriteError(error, access.name, true);
  }
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'project.move_team',
    resourceType: 'project',
    resourceId: projectId,
    details: { name: access.name, from: from ?? null, to: team },
    ...ctx.meta,
  });
  return { moved: true, team };
}

/**
 * Deletes the project and, through the foreign keys, its applications (archived ones too), databases, domains,
 * env vars, deployments and their logs, git sources and backups. Refused while it has any volume, attached or not:
 * volumes hold data and are deleted deliberately (D3), and a detached one would otherwise be orphaned.
 */
export async function deleteProject(
  tx: Tx,
  ctx: WorkContext,
  input: DeleteProjectInput,
): Promise<{ id: string; name: string }> {
  const { projectId, confirmation } = deleteProjectSchema.parse(input);
  const access = await requireProjectAccess(tx, ctx, projectId, 'project.delete');
  if (confirmation !== access.name) {
    throw new AppError('invalid', `Type the project name “${access.name}” exactly as shown to confirm.`, {
      field: 'confirmation',
    });
  }
  // Locked first: a volume created in this project now waits for this transaction, then finds the project gone.
  await tx.$queryRaw`SELECT id FROM projects WHERE id = ${projectId}::uuid FOR UPDATE`;
  const volumes = await blockingVolumes(tx, projectId);
  if (volumes.length > 0) throw new AppError('conflict', describeBlockingVolumes(volumes));

  const removed = await countCascade(tx, projectId);
  try {
    const { count } = await tx.project.deleteMany({ where: { id: projectId } });
    if (count !== 1) throw new AppError('forbidden', 'Only the project owner can delete it.');
  } catch (error) {
    // An attached volume that slipped in after the check: its application RESTRICTs the cascade.
    if (driverCause(error)?.originalCode === '23503') {
      throw new AppError('conflict', describeBlockingVolumes(await blockingVolumes(tx, projectId).catch(() => [])));
    }
    throw error;
  }
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'project.delete',
    resourceType: 'project',
    resourceId: projectId,
    details: { name: access.name, teamId: access.teamId, removed },
    ...ctx.meta,
  });
  return { id: projectId, name: access.name };
}
