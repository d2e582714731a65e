// The deployment state machine. The legal moves are data (TRANSITIONS); transition() makes one move under a row lock
// with a conditional UPDATE, stamps the times, merges metadata, and moves the application's status with it in the
// same transaction, so a deployment and its application never disagree. Live views hear of each move from the
// database itself (trigger deployments_status_notify, migration 20261128000000), whoever makes it.
import type { Tx } from '@/lib/db/context';
import { AppError } from '@/lib/errors';

export const DEPLOYMENT_STATUSES = [
  'pending',
  'building',
  'deploying',
  'success',
  'failed',
  'rolled_back',
  'superseded',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const TRANSITIONS: Readonly<Record<DeploymentStatus, readonly DeploymentStatus[]>> = {
  // failed from pending: cancelled before a worker took it. superseded: a newer trigger replaced it (not a failure,
  // D69: counted and announced as nothing of the kind).
  pending: ['building', 'failed', 'superseded'],
  // failed from building: the build broke, or was cancelled.
  building: ['deploying', 'failed'],
  deploying: ['success', 'failed', 'rolled_back'],
  success: [],
  failed: [],
  rolled_back: [],
  superseded: [],
};

export function isTerminal(status: DeploymentStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export function canTransition(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * The application's status after a move, or null to leave it alone. A deployment that never started changes nothing
 * (superseded, or cancelled while pending); a build that fails (or is cancelled) leaves the old version serving, so a
 * running application stays running; Swarm's rollback also keeps the old version, so rolled_back means running.
 */
export function applicationStatusAfter(
  from: DeploymentStatus,
  to: DeploymentStatus,
  previous: string | null,
): string | null {
  if (to === 'building' || to === 'deploying') return 'deploying';
  if (to === 'success' || to === 'rolled_back') return 'running';
  if (to === 'failed') {
    if (from === 'pending') return null;
    if (from === 'building') return previous === 'running' ? 'running' : 'failed';
    return 'failed';
  }
  return null;
}

/** An illegal move: a conflict naming where the deployment is and where it was asked to go. */
function illegalTransition(
  deploymentId: string,
  current: DeploymentStatus | null,
  to: DeploymentStatus,
  detail?: string,
): AppError {
  return new AppError(
    'conflict',
    current === null
      ? `Deployment ${deploymentId} does not exist.`
      : `Deployment ${deploymentId} cannot go from ${current} to ${to}${detail ? ` (${detail})` : ''}.`,
  );
}

export type DeploymentRow = {
  id: string;
  applicationId: string;
  triggeredBy: string | null;
  status: DeploymentStatus;
  commitSha: string | null;
  metadata: Record<string, unknown>;
  startedAt: Date;
  completedAt: Date | null;
};

export type TransitionOptions = {
  /** The status the caller believes the row is in; the move is refused when it is not. */
  from?: DeploymentStatus;
  /** Why (kept as metadata.reason): required in spirit for failed, useful for rolled_back. */
  reason?: string;
  metadata?: Record<string, unknown>;
};

export type TransitionResult =
  | { ok: true; from: DeploymentStatus; deployment: DeploymentRow }
  | { ok: false; current: DeploymentStatus | null; detail?: string };

type RawRow = {
  id: string;
  application_id: string;
  triggered_by: string | null;
  status: DeploymentStatus;
  commit_sha: string | null;
  metadata: Record<string, unknown>;
  started_at: Date;
  completed_at: Date | null;
};

export function toDeploymentRow(row: RawRow): DeploymentRow {
  return {
    id: row.id,
    applicationId: row.application_id,
    triggeredBy: row.triggered_by,
    status: row.status,
    commitSha: row.commit_sha,
    metadata: row.metadata ?? {},
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

const MAX_REASON = 1000;

/** One move, or the reason it was refused (no exception: the worker treats a lost race as a normal outcome). */
export async function tryTransition(
  tx: Tx,
  deploymentId: string,
  to: DeploymentStatus,
  options: TransitionOptions = {},
): Promise<TransitionResult> {
  // Lock order: the application row, then the deployment row — as every other writer (enqueue, webhooks, cancel)
  // takes them, so two of them never wait on each other in a cycle. A deployment never changes application.
  const [owner] = await tx.$queryRaw<
    { application_id: string }[]
  >`SELECT application_id FROM deployments WHERE id = ${deploymentId}::uuid`;
  if (!owner) return { ok: false, current: null };
  const [app] = await tx.$queryRaw<{ status: string }[]>`
    SELECT status FROM applications WHERE id = ${owner.application_id}::uuid FOR UPDATE`;
  const [current] = await tx.$queryRaw<
    { status: DeploymentStatus; application_id: string; metadata: Record<string, unknown> }[]
  >`
    SELECT status, application_id, metadata FROM deployments WHERE id = ${deploymentId}::uuid FOR UPDATE`;
  if (!current) return { ok: false, current: null };
  const from = current.status;
  if ((options.from && options.from !== from) || !canTransition(from, to)) return { ok: false, current: from };
  // A build someone asked to stop must not start rolling out: checked here, under the row lock cancel also takes.
  if (from === 'building' && to === 'deploying' && current.metadata?.cancel_requested_at) {
    return { ok: false, current: from, detail: 'cancellation requested' };
  }

  const patch: Record<string, unknown> = { ...options.metadata };
  if (options.reason !== undefined) patch.reason = options.reason.slice(0, MAX_REASON);
  if (to === 'building') patch.previous_app_status = app?.status ?? null;
  const previous =
    typeof current.metadata?.previous_app_status === 'string' ? current.metadata.previous_app_status : null;

  const starts = to === 'building';
  const ends = isTerminal(to);
  const measured = ends && from !== 'pending';
  // The commit the pipeline resolved (a branch head) becomes the row's commit.
  const resolvedSha =
    typeof patch.commit_sha === 'string' && /^[0-9a-f]{40}$/.test(patch.commit_sha) ? patch.commit_sha : null;
  const [row] = await tx.$queryRaw<RawRow[]>`
    UPDATE deployments SET
      status = ${to},
      commit_sha = COALESCE(${resolvedSha}::text, commit_sha),
      started_at = CASE WHEN ${starts} THEN now() ELSE started_at END,
      completed_at = CASE WHEN ${ends} THEN now() ELSE completed_at END,
      metadata = metadata || ${JSON.stringify(patch)}::jsonb || CASE WHEN ${measured}
        THEN jsonb_build_object('duration_seconds', round(extract(epoch FROM now() - started_at)::numeric, 1))
        ELSE '{}'::jsonb END
    WHERE id = ${deploymentId}::uuid AND status = ${from}
    RETURNING id, application_id, triggered_by, status, commit_sha, metadata, started_at, completed_at`;
  if (!row) return { ok: false, current: from };

  // git_sources.commit_sha is the commit running now (spec: "latest deployed commit").
  if (to === 'success' && row.commit_sha && /^[0-9a-f]{40}$/.test(row.commit_sha)) {
    await tx.$executeRaw`
      UPDATE git_sources SET commit_sha = ${row.commit_sha} WHERE application_id = ${current.application_id}::uuid`;
  }
  const appStatus = applicationStatusAfter(from, to, previous);
  // An archived application keeps its status: archiving is the person's decision, not the deployment's.
  if (appStatus && app && app.status !== appStatus) {
    await tx.$executeRaw`
      UPDATE applications SET status = ${appStatus} WHERE id = ${current.application_id}::uuid AND deleted_at IS NULL`;
  }
  return { ok: true, from, deployment: toDeploymentRow(row) };
}

/** One move; an illegal one throws an AppError with code conflict. */
export async function transition(
  tx: Tx,
  deploymentId: string,
  to: DeploymentStatus,
  options: TransitionOptions = {},
): Promise<DeploymentRow> {
  const result = await tryTransition(tx, deploymentId, to, options);
  if (!result.ok) throw illegalTransition(deploymentId, result.current, to, result.detail);
  return result.deployment;
}

export async function loadDeployment(tx: Tx, deploymentId: string): Promise<DeploymentRow | null> {
  const [row] = await tx.$queryRaw<RawRow[]>`
    SELECT id, application_id, triggered_by, status, commit_sha, metadata, started_at, completed_at
      FROM deployments WHERE id = ${deploymentId}::uuid`;
  return row ? toDeploymentRow(row) : null;
}
