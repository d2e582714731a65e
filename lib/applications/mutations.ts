// Writing applications. Each function authorizes through the project (requireProjectAccess /
// requireApplicationAccess; row-level security on applications, through the project, is the second wall), parses
// its input again, writes, and records its audit row in the same transaction. Archived applications are read-only
// except for Restore.
//
// source_config by type (the spec's sample shape for git):
//   docker  { "image": "nginx:1.27" }                                       source_type 'docker'
//   git     { "repository", "branch", "dockerfile", "build_context" }       source_type = provider, + git_sources row
//   compose { "compose": "<the file as typed>", "services": ["web", …] }    source_type 'docker_compose'
import { requireApplicationAccess, type ApplicationAccess } from '@/lib/applications/access';
import { recordAudit } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import { isUniqueViolation } from '@/lib/db/errors';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { encryptField, newWebhookSecret } from '@/lib/git-sources/config';
import { requireProjectAccess } from '@/lib/projects/access';
import {
  applicationRefSchema,
  applicationSourceSchema,
  createApplicationSchema,
  updateGeneralSchema,
  updateSourceSchema,
  type ApplicationSource,
  type CreateApplicationInput,
  type UpdateGeneralInput,
  type UpdateSourceInput,
} from '@/lib/validation/application';
import { checkCompose } from '@/lib/validation/compose';
import { dockerConfigSchema, type DockerConfigInput } from '@/lib/validation/docker-config';

const NAME_INDEX = 'applications_project_id_name_key';

const nameTaken = (name: string) =>
  new AppError(
    'conflict',
    `This project already has an application named ${name} (archived ones keep their name). Choose another name.`,
    {
      field: 'name',
    },
  );

/** For runAsUser: a name taken by a concurrent request surfaces as a unique violation at the database. */
export function translateApplicationError(name: string) {
  return (error: unknown) => (isUniqueViolation(error, NAME_INDEX) ? nameTaken(name) : error);
}

function sourceColumns(source: ApplicationSource): { sourceType: string; sourceConfig: Prisma.InputJsonObject } {
  switch (source.type) {
    case 'docker':
      return { sourceType: 'docker', sourceConfig: { image: source.image } };
    case 'git':
      return {
        sourceType: source.provider,
        sourceConfig: {
          repository: source.repository,
          branch: source.branch,
          dockerfile: source.dockerfile,
          build_context: source.buildContext,
        },
      };
    case 'compose':
      return {
        sourceType: 'docker_compose',
        sourceConfig: { compose: source.compose, services: checkCompose(source.compose).summary?.services ?? [] },
      };
  }
}

/** What the audit log says about a source: never the compose text (it may hold passwords). */
function sourceSummary(source: ApplicationSource): Record<string, unknown> {
  if (source.type === 'docker') return { image: source.image };
  if (source.type === 'git') return { provider: source.provider, repository: source.repository, branch: source.branch };
  return { services: checkCompose(source.compose).summary?.services ?? [] };
}

async function ensureNameFree(tx: Tx, projectId: string, name: string, exceptId?: string) {
  const taken = await tx.application.findFirst({
    where: { projectId, name, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) throw nameTaken(name);
}

function refuseArchived(app: ApplicationAccess) {
  if (app.deletedAt)
    throw new AppError('conflict', 'This application is archived: restore it (Settings) before changing it.');
}

/** The git_sources row follows the git source; its webhook config (secret, settings) is left as it is. */
async function syncGitSource(tx: Tx, applicationId: string, source: Extract<ApplicationSource, { type: 'git' }>) {
  const current = await tx.gitSource.findUnique({ where: { applicationId }, select: { repository: true } });
  const fields = { provider: source.provider, repository: source.repository, branch: source.branch };
  if (!current) {
    // Every git source gets its webhook secret at once, so its webhook URL works as soon as it is pasted.
    const webhookConfig = {
      secret: await encryptField('secret', newWebhookSecret()),
      secret_created_at: new Date().toISOString(),
    };
    await tx.gitSource.create({ data: { applicationId, ...fields, webhookConfig } });
  } else {
    // A commit of another repository means nothing here.
    const commitSha = current.repository === source.repository ? undefined : null;
    await tx.gitSource.update({
      where: { applicationId },
      data: { ...fields, ...(commitSha === null ? { commitSha } : {}) },
    });
  }
}

export async function createApplication(
  tx: Tx,
  ctx: WorkContext,
  input: CreateApplicationInput,
): Promise<{ id: string }> {
  const data = createApplicationSchema.parse(input);
  const project = await requireProjectAccess(tx, ctx, data.projectId, 'application.create');
  await ensureNameFree(tx, project.id, data.name);
  const { name } = data;
  const source = applicationSourceSchema.parse(data);
  const app = await tx.application.create({
    data: { projectId: project.id, name, type: source.type, status: 'stopped', ...sourceColumns(source) },
    select: { id: true },
  });
  if (source.type === 'git') await syncGitSource(tx, app.id, source);
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.create',
    resourceType: 'application',
    resourceId: app.id,
    details: { projectId: project.id, name, type: source.type, ...sourceSummary(source) },
    ...ctx.meta,
  });
  return app;
}

export async function updateGeneral(tx: Tx, ctx: WorkContext, input: UpdateGeneralInput): Promise<void> {
  const data = updateGeneralSchema.parse(input);
  const app = await requireApplicationAccess(tx, ctx, data.applicationId, 'application.update');
  refuseArchived(app);
  if (data.name !== app.name) await ensureNameFree(tx, app.project.id, data.name, app.id);
  await tx.application.update({ where: { id: app.id }, data: { name: data.name, replicas: data.replicas } });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.update',
    resourceType: 'application',
    resourceId: app.id,
    details: {
      section: 'general',
      name: data.name,
      ...(data.name !== app.name ? { previousName: app.name } : {}),
      replicas: data.replicas,
    },
    ...ctx.meta,
  });
}

export async function updateSource(tx: Tx, ctx: WorkContext, input: UpdateSourceInput): Promise<void> {
  const { applicationId, ...rest } = updateSourceSchema.parse(input);
  const source = applicationSourceSchema.parse(rest);
  const app = await requireApplicationAccess(tx, ctx, applicationId, 'application.update');
  refuseArchived(app);
  if (source.type !== app.type) {
    throw new AppError(
      'invalid',
      `This is a ${app.type} application: its type cannot change. Create a new application instead.`,
    );
  }
  await tx.application.update({ where: { id: app.id }, data: sourceColumns(source) });
  if (source.type === 'git') await syncGitSource(tx, app.id, source);
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.update',
    resourceType: 'application',
    resourceId: app.id,
    details: { section: 'source', type: source.type, ...sourceSummary(source) },
    ...ctx.meta,
  });
}

export async function updateDockerConfig(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string; dockerConfig: DockerConfigInput },
): Promise<void> {
  const { applicationId } = applicationRefSchema.parse(input);
  const dockerConfig = dockerConfigSchema.parse(input.dockerConfig);
  const app = await requireApplicationAccess(tx, ctx, applicationId, 'application.update');
  refuseArchived(app);
  await tx.application.update({
    where: { id: app.id },
    data: { dockerConfig: dockerConfig as Prisma.InputJsonObject },
  });
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.update',
    resourceType: 'application',
    resourceId: app.id,
    details: { section: 'docker_config', dockerConfig },
    ...ctx.meta,
  });
}

// Archive and restore go through the SQL functions, so the panel and an operator's SQL do the same thing (D1).
// Restore cannot collide with a live application: the (project_id, name) unique index covers archived rows (D5).

export async function archiveApplication(tx: Tx, ctx: WorkContext, input: { applicationId: string }): Promise<void> {
  const { applicationId } = applicationRefSchema.parse(input);
  const app = await requireApplicationAccess(tx, ctx, applicationId, 'application.delete');
  if (app.deletedAt) throw new AppError('conflict', 'This application is already archived.');
  await tx.$executeRaw`SELECT soft_delete_application(${app.id}::uuid)`;
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.archive',
    resourceType: 'application',
    resourceId: app.id,
    details: { projectId: app.project.id, name: app.name, previousStatus: app.status },
    ...ctx.meta,
  });
}

export async function restoreApplication(tx: Tx, ctx: WorkContext, input: { applicationId: string }): Promise<void> {
  const { applicationId } = applicationRefSchema.parse(input);
  const app = await requireApplicationAccess(tx, ctx, applicationId, 'application.delete');
  if (!app.deletedAt) throw new AppError('conflict', 'This application is not archived.');
  await tx.$executeRaw`SELECT restore_application(${app.id}::uuid)`;
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'application.restore',
    resourceType: 'application',
    resourceId: app.id,
    details: { projectId: app.project.id, name: app.name },
    ...ctx.meta,
  });
}
