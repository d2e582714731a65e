// Reading one application for its tabs, after the caller has authorized it (loadApplicationPage /
// requireApplicationAccess give the ApplicationAccess these functions take, so every read is scoped by an id the
// reader may see). Never selected: env var values, git_sources.webhook_config (it holds the webhook secret and
// repository credentials; the Source tab reads it on the server and passes on only sourceSettings(), see
// lib/git-sources/config.ts), deployment logs.
import type { ApplicationAccess } from '@/lib/applications/access';
import type { Tx } from '@/lib/db/context';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  deploymentCursorSchema,
  DEPLOYMENTS_PAGE_SIZE,
  encodeDeploymentCursor,
  type ApplicationType,
} from '@/lib/validation/application';
import { dockerConfigSchema, type DockerConfig } from '@/lib/validation/docker-config';

export type SourceView =
  | { type: 'docker'; image: string }
  | {
      type: 'git';
      provider: string;
      repository: string;
      branch: string;
      dockerfile: string;
      buildContext: string;
      commitSha: string | null;
    }
  | { type: 'compose'; compose: string; services: string[] };

export type ApplicationView = {
  id: string;
  projectId: string;
  name: string;
  type: ApplicationType;
  status: string;
  replicas: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  source: SourceView;
  dockerConfig: DockerConfig;
  /** Set when the stored docker_config (written outside the panel) does not validate: the form starts empty. */
  dockerConfigProblem: string | null;
};

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export async function getApplicationView(tx: Tx, app: ApplicationAccess): Promise<ApplicationView> {
  const row = await tx.application.findUniqueOrThrow({
    where: { id: app.id },
    select: {
      id: true,
      projectId: true,
      name: true,
      type: true,
      status: true,
      replicas: true,
      createdAt: true,
      updatedAt: true,
      deletedAt: true,
      sourceType: true,
      sourceConfig: true,
      dockerConfig: true,
      gitSource: { select: { provider: true, repository: true, branch: true, commitSha: true } },
    },
  });
  const config = record(row.sourceConfig);
  // Rows written by hand or by older versions may lack fields: show what is there rather than fail the page.
  let source: SourceView;
  if (row.type === 'git') {
    source = {
      type: 'git',
      provider: row.gitSource?.provider ?? text(row.sourceType, 'github'),
      repository: row.gitSource?.repository ?? text(config.repository),
      branch: row.gitSource?.branch ?? text(config.branch, 'main'),
      dockerfile: text(config.dockerfile, 'Dockerfile'),
      buildContext: text(config.build_context, '.'),
      commitSha: row.gitSource?.commitSha ?? null,
    };
  } else if (row.type === 'compose') {
    const services = Array.isArray(config.services)
      ? config.services.filter((s): s is string => typeof s === 'string')
      : [];
    source = { type: 'compose', compose: text(config.compose), services };
  } else {
    source = { type: 'docker', image: text(config.image) };
  }
  const parsed = dockerConfigSchema.safeParse(row.dockerConfig);
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    type: row.type as ApplicationType,
    status: row.status,
    replicas: row.replicas,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deletedAt: row.deletedAt,
    source,
    dockerConfig: parsed.success ? parsed.data : {},
    dockerConfigProblem: parsed.success
      ? null
      : `The stored configuration does not pass validation (${parsed.error.issues[0]?.message ?? 'unknown problem'}); saving this form replaces it.`,
  };
}

export type DeploymentItem = {
  id: string;
  status: string;
  commitSha: string | null;
  /** metadata.trigger when the pipeline recorded one (webhook, manual, rollback…), else null. */
  trigger: string | null;
  triggeredBy: string | null;
  startedAt: Date;
  completedAt: Date | null;
  /** Seconds between start and completion; null while running. */
  durationSeconds: number | null;
  /** Whether it recorded the image it ran (what a rollback redeploys). */
  hasImage: boolean;
};

export type DeploymentPage = { items: DeploymentItem[]; nextCursor: string | null };

type DeploymentRow = {
  id: string;
  status: string;
  commit_sha: string | null;
  trigger: string | null;
  username: string | null;
  started_at: Date;
  started_at_exact: string;
  completed_at: Date | null;
  has_image: boolean;
};

/**
 * One page of the application's deployments, newest first, by the (started_at, id) keyset. A cursor that does not
 * decode throws the schema's ZodError (the page shows its message).
 */
export async function listDeployments(
  tx: Tx,
  app: ApplicationAccess,
  options: { cursor?: string } = {},
): Promise<DeploymentPage> {
  const cursor = options.cursor ? deploymentCursorSchema.parse(options.cursor) : undefined;
  const after = cursor
    ? Prisma.sql`AND (d.started_at, d.id) < (${cursor.startedAt}::timestamptz, ${cursor.id}::uuid)`
    : Prisma.empty;
  // One row more than the page tells whether another page follows.
  const rows = await tx.$queryRaw<DeploymentRow[]>`
    SELECT d.id::text AS id, d.status, d.commit_sha, d.metadata->>'trigger' AS trigger, u.username,
           (d.metadata ? 'image') AS has_image,
           d.started_at, d.completed_at,
           to_char(d.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_at_exact
      FROM deployments d
      LEFT JOIN users u ON u.id = d.triggered_by
     WHERE d.application_id = ${app.id}::uuid ${after}
     ORDER BY d.started_at DESC, d.id DESC
     LIMIT ${DEPLOYMENTS_PAGE_SIZE + 1}`;
  const page = rows.slice(0, DEPLOYMENTS_PAGE_SIZE);
  const items = page.map((row) => ({
    id: row.id,
    status: row.status,
    commitSha: row.commit_sha,
    trigger: row.trigger,
    triggeredBy: row.username,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    durationSeconds: row.completed_at
      ? Math.max(0, Math.round((row.completed_at.getTime() - row.started_at.getTime()) / 1000))
      : null,
    hasImage: row.has_image,
  }));
  const last = page.at(-1);
  return {
    items,
    nextCursor:
      rows.length > DEPLOYMENTS_PAGE_SIZE && last
        ? encodeDeploymentCursor({ startedAt: last.started_at_exact, id: last.id })
        : null,
  };
}

/**
 * The deployment the application runs now: its latest successful one (by completion), or null before any succeeded.
 * Redeploy needs one; a rollback goes to an older one; the Logs tab has a service to read only after one.
 */
export async function currentDeployment(tx: Tx, app: Pick<ApplicationAccess, 'id'>): Promise<{ id: string } | null> {
  return tx.deployment.findFirst({
    where: { applicationId: app.id, status: 'success' },
    orderBy: [{ completedAt: 'desc' }, { startedAt: 'desc' }],
    select: { id: true },
  });
}
