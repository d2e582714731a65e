// What a person changes on a git source from the Source tab: the webhook secret (regenerated, or revealed to those
// allowed env.reveal_secret), the webhook settings, the repository credentials (a deploy key made here, or an
// access token pasted in: write-only), a redelivery of a recorded push, and "deploy the latest commit". Each runs
// in the caller's transaction (runAsUser) and authorizes against the application first; every change is audited
// with names and ids only, never a secret. webhook_config is changed under the source's row lock by merging a patch
// (webhook_config || patch), so keys this module does not know are never dropped.
import { requireApplicationAccess, type ApplicationAccess } from '@/lib/applications/access';
import { recordAudit } from '@/lib/audit/write';
import type { Action } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import type { DeploymentQueue } from '@/lib/deploy/queue';
import { deployApplication } from '@/lib/deploy/triggers';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { generateDeployKey, TOKEN_USERNAMES, type GitProvider } from '@/lib/git/credentials';
import { lsRemote } from '@/lib/git/remote';
import { cloneUrl } from '@/lib/git/repository-url';
import { GitError, redact } from '@/lib/git/run';
import { applicationRefSchema } from '@/lib/validation/application';
import {
  redeliverSchema,
  setAccessTokenSchema,
  webhookSettingsSchema,
  type RedeliverInput,
  type SetAccessTokenInput,
  type WebhookSettingsInput,
} from '@/lib/validation/git-source';
import { isProvider } from '@/lib/webhooks/headers';
import { applyPush } from '@/lib/webhooks/ordering';
import { pushIgnored } from '@/lib/webhooks/receive';
import type { Outcome, SourceRow } from '@/lib/webhooks/store';

import {
  authMethodOf,
  decryptField,
  encryptField,
  gitCredentialsOf,
  newWebhookSecret,
  readWebhookConfig,
  watchedBranchOf,
  type AuthMethod,
  type WebhookConfig,
} from './config';

export const NOT_GIT =
  'This application is not deployed from a git repository, so it has no webhook or repository access to set.';
export const ARCHIVED =
  'This application is archived: restore it in Settings before changing its source or deploying it.';
const LS_REMOTE_TIMEOUT_MS = 30_000;
const CREDENTIAL_KEYS = [
  'deploy_key',
  'deploy_key_public',
  'deploy_key_fingerprint',
  'deploy_token',
  'deploy_token_username',
] as const;

type Source = { id: string; provider: GitProvider; repository: string; branch: string; config: WebhookConfig };
type Authorized = { app: ApplicationAccess; source: Source };

type SourceQuery = { id: string; provider: string; repository: string; branch: string; webhook_config: unknown };

/**
 * The application as the actor may `action` it, with its git source. `lock` takes the source's row lock for a change
 * of webhook_config (NO KEY UPDATE: writers take turns, while the receiver's inserts of deliveries, which only
 * reference the row, are not held up); `refuseArchived` refuses an archived application.
 */
async function authorizeSource(
  tx: Tx,
  ctx: WorkContext,
  applicationId: string,
  action: Action,
  options: { lock: boolean; refuseArchived: boolean },
): Promise<Authorized> {
  const app = await requireApplicationAccess(tx, ctx, applicationId, action);
  if (options.refuseArchived && app.deletedAt) throw new AppError('conflict', ARCHIVED);
  const rows = options.lock
    ? await tx.$queryRaw<SourceQuery[]>`
        SELECT id::text AS id, provider, repository, branch, webhook_config FROM git_sources
         WHERE application_id = ${app.id}::uuid FOR NO KEY UPDATE`
    : await tx.$queryRaw<SourceQuery[]>`
        SELECT id::text AS id, provider, repository, branch, webhook_config FROM git_sources WHERE application_id = ${app.id}::uuid`;
  const row = rows[0];
  if (app.type !== 'git' || !row || !isProvider(row.provider)) throw new AppError('conflict', NOT_GIT);
  return {
    app,
    source: {
      id: row.id,
      provider: row.provider,
      repository: row.repository,
      branch: row.branch,
      config: readWebhookConfig(row.webhook_config),
    },
  };
}

const WRITE = { lock: true, refuseArchived: true };

/** Merges `patch` into webhook_config and removes `remove`; every other key stays as it was. */
async function patchConfig(
  tx: Tx,
  sourceId: string,
  patch: WebhookConfig,
  remove: readonly string[] = [],
): Promise<void> {
  await tx.$executeRaw`
    UPDATE git_sources SET webhook_config = (webhook_config || ${JSON.stringify(patch)}::jsonb) - ${[...remove]}::text[]
     WHERE id = ${sourceId}::uuid`;
}

function audit(tx: Tx, ctx: WorkContext, app: ApplicationAccess, action: string, details: Record<string, unknown>) {
  return recordAudit(tx, {
    userId: ctx.actor.id,
    action,
    resourceType: 'application',
    resourceId: app.id,
    details,
    ...ctx.meta,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The webhook: secret and settings

export type NewSecret = { secret: string; createdAt: string };

/** A new webhook secret, returned once; the old one stops verifying deliveries at once. */
export async function regenerateWebhookSecret(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string },
): Promise<NewSecret> {
  const { applicationId } = applicationRefSchema.parse(input);
  const { app, source } = await authorizeSource(tx, ctx, applicationId, 'application.update', WRITE);
  const secret = newWebhookSecret();
  const createdAt = new Date().toISOString();
  await patchConfig(tx, source.id, { secret: await encryptField('secret', secret), secret_created_at: createdAt });
  await audit(tx, ctx, app, 'git_source.webhook_rotate', {
    sourceId: source.id,
    hadOne: Boolean(source.config.secret),
  });
  return { secret, createdAt };
}

/** The webhook secret's plaintext, for a person allowed env.reveal_secret; audited. */
export async function revealWebhookSecret(tx: Tx, ctx: WorkContext, input: { applicationId: string }): Promise<string> {
  const { applicationId } = applicationRefSchema.parse(input);
  const { app, source } = await authorizeSource(tx, ctx, applicationId, 'env.reveal_secret', {
    lock: false,
    refuseArchived: false,
  });
  const secret = await decryptField(source.config, 'secret');
  if (!secret)
    throw new AppError('not_found', 'This webhook has no secret yet: generate one with “Regenerate secret”.');
  await audit(tx, ctx, app, 'git_source.webhook_reveal', { sourceId: source.id });
  return secret;
}

export type WebhookSettings = { autoDeploy: boolean; watchedBranch: string; deployTags: boolean };

export async function updateWebhookSettings(
  tx: Tx,
  ctx: WorkContext,
  input: WebhookSettingsInput,
): Promise<WebhookSettings> {
  const { applicationId, autoDeploy, watchedBranch, deployTags } = webhookSettingsSchema.parse(input);
  const { app, source } = await authorizeSource(tx, ctx, applicationId, 'application.update', WRITE);
  // The source's own branch is not stored: the watched branch keeps following it when the source changes.
  const follows = watchedBranch === null || watchedBranch === source.branch;
  await patchConfig(
    tx,
    source.id,
    { auto_deploy: autoDeploy, deploy_tags: deployTags, ...(follows ? {} : { branch: watchedBranch }) },
    follows ? ['branch'] : [],
  );
  const settings = { autoDeploy, watchedBranch: follows ? source.branch : watchedBranch, deployTags };
  await audit(tx, ctx, app, 'git_source.webhook_update', { sourceId: source.id, ...settings });
  return settings;
}

// ---------------------------------------------------------------------------------------------------------------
// Repository access: one method at a time

export type DeployKeyView = { publicKey: string; fingerprint: string };

/** A new ed25519 deploy key (replacing any key or token); the private half is stored encrypted and never returned. */
export async function createDeployKey(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string },
): Promise<DeployKeyView> {
  const { applicationId } = applicationRefSchema.parse(input);
  const { app, source } = await authorizeSource(tx, ctx, applicationId, 'application.update', WRITE);
  const key = generateDeployKey(`slipway-${app.name}`);
  await patchConfig(
    tx,
    source.id,
    {
      deploy_key: await encryptField('deploy_key', key.privateKey),
      deploy_key_public: key.publicKey,
      deploy_key_fingerprint: key.fingerprint,
    },
    ['deploy_token', 'deploy_token_username'],
  );
  await audit(tx, ctx, app, 'git_source.access_update', {
    sourceId: source.id,
    method: 'deploy_key',
    fingerprint: key.fingerprint,
    replaced: authMethodOf(source.config),
  });
  return { publicKey: key.publicKey, fingerprint: key.fingerprint };
}

/** Stores an access token (replacing any key or token). Write-only: only the user name sent with it comes back. */
export async function setAccessToken(
  tx: Tx,
  ctx: WorkContext,
  input: SetAccessTokenInput,
): Promise<{ username: string }> {
  const { applicationId, token, username } = setAccessTokenSchema.parse(input);
  const { app, source } = await authorizeSource(tx, ctx, applicationId, 'application.update', WRITE);
  await patchConfig(
    tx,
    source.id,
    {
      deploy_token: await encryptField('deploy_token', token),
      ...(username ? { deploy_token_username: username } : {}),
    },
    ['deploy_key', 'deploy_key_public', 'deploy_key_fingerprint', ...(username ? [] : ['deploy_token_username'])],
  );
  const effective = username ?? TOKEN_USERNAMES[source.provider];
  await audit(tx, ctx, app, 'git_source.access_update', {
    sourceId: source.id,
    method: 'token',
    username: effective,
    replaced: authMethodOf(source.config),
  });
  return { username: effective };
}

/** Removes the deploy key or token: the repository is then fetched without credentials (a public one). */
export async function removeCredentials(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string },
): Promise<{ removed: AuthMethod }> {
  const { applicationId } = applicationRefSchema.parse(input);
  const { app, source } = await authorizeSource(tx, ctx, applicationId, 'application.update', WRITE);
  const removed = authMethodOf(source.config);
  await patchConfig(tx, source.id, {}, CREDENTIAL_KEYS);
  await audit(tx, ctx, app, 'git_source.access_remove', { sourceId: source.id, removed });
  return { removed };
}

// ---------------------------------------------------------------------------------------------------------------
// Deploying: a recorded push again, or the branch's head

export type Redelivered = {
  deliveryRowId: string;
  outcome: Outcome;
  reason: string | null;
  deploymentId: string | null;
  commitSha: string;
};

type DeliveryRow = {
  id: string;
  signature_ok: boolean;
  branch: string | null;
  commit_sha: string | null;
  summary: unknown;
};
const str = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * Processes a recorded signed push again, as the receiver would now (today's settings; no ordering check, since a
 * person asked for it), and records that as a new delivery pointing at the original.
 */
export async function redeliver(
  tx: Tx,
  ctx: WorkContext,
  queue: DeploymentQueue,
  input: RedeliverInput,
): Promise<Redelivered> {
  const { applicationId, deliveryRowId } = redeliverSchema.parse(input);
  const { app, source } = await authorizeSource(tx, ctx, applicationId, 'application.deploy', {
    lock: false,
    refuseArchived: true,
  });
  const [row] = await tx.$queryRaw<DeliveryRow[]>`
    SELECT id::text AS id, signature_ok, branch, commit_sha, summary FROM webhook_deliveries
     WHERE id = ${deliveryRowId}::uuid AND git_source_id = ${source.id}::uuid`;
  if (!row)
    throw new AppError(
      'not_found',
      'This application has no such delivery (deliveries are kept 30 days): reload the page.',
    );
  const summary = (row.summary && typeof row.summary === 'object' ? row.summary : {}) as Record<string, unknown>;
  const ref = str(summary.ref);
  if (!row.signature_ok)
    throw new AppError(
      'conflict',
      'Only a delivery whose signature was verified can be redelivered: this one was refused.',
    );
  if (!row.commit_sha || !ref || summary.deleted === true)
    throw new AppError('conflict', 'Only a push of a commit can be redelivered: this delivery was not one.');

  const push = {
    kind: 'push' as const,
    ref,
    branch: row.branch,
    tag: str(summary.tag),
    commitSha: row.commit_sha,
    before: str(summary.before),
    message: str(summary.message),
    author: str(summary.author),
    timestamp: str(summary.timestamp),
    deleted: false,
  };
  const sourceRow: SourceRow = {
    id: source.id,
    applicationId: app.id,
    provider: source.provider,
    branch: source.branch,
    config: source.config,
    appType: app.type,
    appDeleted: false,
  };
  const ignored = pushIgnored(sourceRow, push);
  const decision = ignored
    ? { outcome: 'ignored' as const, reason: ignored, deploymentId: null }
    : await applyPush(tx, queue, sourceRow, push, { provider: source.provider, deliveryId: null, redelivery: true });
  const created = await tx.webhookDelivery.create({
    data: {
      gitSourceId: source.id,
      provider: source.provider,
      event: 'redeliver',
      deliveryId: null,
      signatureOk: true,
      outcome: decision.outcome,
      reason: decision.reason?.slice(0, 1000) ?? null,
      branch: row.branch,
      commitSha: row.commit_sha,
      deploymentId: decision.deploymentId ?? null,
      redeliveryOf: row.id,
      summary: summary as object,
    },
    select: { id: true },
  });
  await audit(tx, ctx, app, 'git_source.redeliver', {
    sourceId: source.id,
    deliveryRowId: row.id,
    redeliveryRowId: created.id,
    commitSha: row.commit_sha,
    outcome: decision.outcome,
    deploymentId: decision.deploymentId ?? null,
  });
  return {
    deliveryRowId: created.id,
    outcome: decision.outcome,
    reason: decision.reason,
    deploymentId: decision.deploymentId ?? null,
    commitSha: row.commit_sha,
  };
}

export type LatestDeployed = { deploymentId: string; commitSha: string; branch: string };

/**
 * Asks the repository for the watched branch's head (git ls-remote, outside any transaction: it is network), then
 * queues a deployment of that commit. git's refusals come back as messages a person can act on.
 */
export async function deployLatestCommit(
  db: PrismaClient,
  ctx: WorkContext,
  queue: DeploymentQueue,
  input: { applicationId: string },
): Promise<LatestDeployed> {
  const { applicationId } = applicationRefSchema.parse(input);
  const target = await runAsUser(db, ctx, async (tx) => {
    const { app, source } = await authorizeSource(tx, ctx, applicationId, 'application.deploy', {
      lock: false,
      refuseArchived: true,
    });
    const stored = await tx.application.findUniqueOrThrow({ where: { id: app.id }, select: { sourceConfig: true } });
    // The repository the pipeline builds from (source_config), so the commit found is one it can fetch.
    const given = str((stored.sourceConfig as Record<string, unknown> | null)?.repository) ?? source.repository;
    return {
      given,
      provider: source.provider,
      branch: watchedBranchOf(source.config, source.branch),
      credentials: await gitCredentialsOf(source.config, source.provider),
    };
  });
  let commitSha: string;
  let repository = target.given;
  try {
    repository = cloneUrl(target.provider, target.given);
    commitSha = await lsRemote({
      repository,
      branch: target.branch,
      credentials: target.credentials,
      timeoutMs: LS_REMOTE_TIMEOUT_MS,
    });
  } catch (error) {
    throw gitFailure(error, repository, target.branch);
  }
  const enqueued = await runAsUser(db, ctx, (tx) => deployApplication(tx, ctx, queue, { applicationId, commitSha }));
  return { deploymentId: enqueued.deploymentId, commitSha, branch: target.branch };
}

/** A GitError as a AppError (git's messages are already redacted); anything else goes on as it is. */
function gitFailure(error: unknown, repository: string, branch: string): unknown {
  if (!(error instanceof GitError)) return error;
  const where = redact(repository);
  if (error.code === 'timeout') {
    return new AppError(
      'conflict',
      `${where} did not answer within ${LS_REMOTE_TIMEOUT_MS / 1000} seconds: check that this server can reach it, then try again.`,
    );
  }
  if (error.code === 'failed') {
    // git's own words, on one line: "fatal: unable to connect to …", "repository … not found".
    const said = error.message
      .replace(/^git [\w-]+ failed:\s*/, '')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/\.+$/, '')
      .slice(0, 500);
    return new AppError(
      'conflict',
      `Could not read the branch ${branch} from ${where}: ${said || 'git gave no reason'}. Check the repository address on this tab and that this server can reach it.`,
    );
  }
  return new AppError(
    error.code === 'not_found' ? 'not_found' : error.code === 'refused' ? 'invalid' : 'conflict',
    error.message,
  );
}
