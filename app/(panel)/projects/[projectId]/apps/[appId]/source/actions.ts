'use server';

// The Source tab's webhook and repository access. Each action: requireUser → safeParse → the lib/git-sources function
// as the user (it authorizes against the application, writes and audits in one transaction) → revalidatePath. A
// secret comes back only in the result of the action that asked for it (reveal, regenerate), to that person; a
// token is never echoed, not even into a refused form's values.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import type { Tx } from '@/lib/db/context';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getDeployQueue } from '@/lib/deploy/runtime';
import {
  createDeployKey,
  deployLatestCommit,
  redeliver,
  regenerateWebhookSecret,
  removeCredentials,
  revealWebhookSecret,
  setAccessToken,
  updateWebhookSettings,
} from '@/lib/git-sources/mutations';
import { getRequestMeta } from '@/lib/http/request-meta';
import { redeliverSchema, setAccessTokenSchema, webhookSettingsSchema } from '@/lib/validation/git-source';

const STALE = 'This page is out of date: reload it and try again.';
const refSchema = z.object({ applicationId: z.guid(STALE) });
// The Source and Webhook tabs both show the source's settings: revalidate the application's pages.
const APP_PAGES = '/projects/[projectId]/apps/[appId]';

async function context(): Promise<WorkContext> {
  const user = await requireUser();
  return { actor: user, meta: await getRequestMeta() };
}

async function run<T>(ctx: WorkContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  return runAsUser(await getDb(), ctx, work);
}

const message = (error: unknown) => actionFailure(error).message ?? 'Something went wrong on the server. Nothing was changed; try again.';

type Done<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * An action on one application by id: the id checked, `work` run as the signed-in user, the application's pages
 * revalidated after a change (`revalidate`), a refusal returned as its message.
 */
async function onApplication<T>(
  applicationId: string,
  work: (ctx: WorkContext, input: { applicationId: string }) => Promise<T>,
  options: { revalidate: boolean } = { revalidate: true },
): Promise<Done<T>> {
  const ctx = await context();
  const parsed = refSchema.safeParse({ applicationId });
  if (!parsed.success) return { ok: false, message: STALE };
  let value: T;
  try {
    value = await work(ctx, parsed.data);
  } catch (error) {
    return { ok: false, message: message(error) };
  }
  if (options.revalidate) revalidatePath(APP_PAGES, 'layout');
  return { ok: true, value };
}

export type SecretResult = { ok: true; secret: string; createdAt?: string } | { ok: false; message: string };

/** The webhook secret's plaintext, to the person who asked (audited); the page itself never renders it. */
export async function revealWebhookSecretAction(applicationId: string): Promise<SecretResult> {
  const done = await onApplication(applicationId, (ctx, input) => run(ctx, (tx) => revealWebhookSecret(tx, ctx, input)), { revalidate: false });
  return done.ok ? { ok: true, secret: done.value } : done;
}

/** A new webhook secret, shown to the person who made it; the old one stops working at once. */
export async function regenerateWebhookSecretAction(applicationId: string): Promise<SecretResult> {
  const done = await onApplication(applicationId, (ctx, input) => run(ctx, (tx) => regenerateWebhookSecret(tx, ctx, input)));
  return done.ok ? { ok: true, secret: done.value.secret, createdAt: done.value.createdAt } : done;
}

export async function updateWebhookSettingsAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const ctx = await context();
  const values = formValues(form, ['applicationId', 'autoDeploy', 'watchedBranch', 'deployTags']);
  const parsed = webhookSettingsSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let saved;
  try {
    saved = await run(ctx, (tx) => updateWebhookSettings(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath(APP_PAGES, 'layout');
  const what = saved.autoDeploy ? `pushes to ${saved.watchedBranch}${saved.deployTags ? ' and tag pushes' : ''} deploy` : 'auto-deploy is off';
  return { ok: true, message: `Webhook settings saved: ${what}.`, values };
}

export async function createDeployKeyAction(applicationId: string): Promise<ActionState> {
  const done = await onApplication(applicationId, (ctx, input) => run(ctx, (tx) => createDeployKey(tx, ctx, input)));
  if (!done.ok) return done;
  return { ok: true, message: `Deploy key ${done.value.fingerprint} generated: add its public key to the repository as a read-only deploy key.` };
}

export async function setAccessTokenAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const ctx = await context();
  const raw = formValues(form, ['applicationId', 'token', 'username']);
  // The token is never echoed back: a refused form keeps it in the browser's field instead.
  const values = { username: raw.username ?? '' };
  const parsed = setAccessTokenSchema.safeParse(raw);
  if (!parsed.success) return invalid(parsed.error, values);
  let saved;
  try {
    saved = await run(ctx, (tx) => setAccessToken(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath(APP_PAGES, 'layout');
  return { ok: true, message: `Access token saved (sent with the user name ${saved.username}). It is never shown again.` };
}

export async function removeCredentialsAction(applicationId: string): Promise<ActionState> {
  const done = await onApplication(applicationId, (ctx, input) => run(ctx, (tx) => removeCredentials(tx, ctx, input)));
  if (!done.ok) return done;
  const { removed } = done.value;
  const what = removed === 'deploy_key' ? 'Deploy key removed: delete it from the provider too.' : removed === 'token' ? 'Access token removed: revoke it at the provider too.' : 'Nothing to remove.';
  return { ok: true, message: `${what} The repository is now fetched without credentials.` };
}

export type DeployResult = ActionState & { deploymentId?: string | null; commitSha?: string };

export async function redeliverAction(applicationId: string, deliveryRowId: string): Promise<DeployResult> {
  const ctx = await context();
  const parsed = redeliverSchema.safeParse({ applicationId, deliveryRowId });
  if (!parsed.success) return { ok: false, message: STALE };
  let result;
  try {
    const queue = await getDeployQueue();
    result = await run(ctx, (tx) => redeliver(tx, ctx, queue, parsed.data));
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(APP_PAGES, 'layout');
  const short = result.commitSha.slice(0, 12);
  const said: Record<string, string> = {
    queued: `Redelivered: a deployment of ${short} is queued.`,
    coalesced: `Redelivered: the pending deployment now deploys ${short}.`,
    duplicate: `Redelivered: ${short} is already on its way, nothing new was queued.`,
  };
  return { ok: true, message: said[result.outcome] ?? `Redelivered, nothing deployed: ${result.reason ?? result.outcome}.`, deploymentId: result.deploymentId, commitSha: result.commitSha };
}

export async function deployLatestCommitAction(applicationId: string): Promise<DeployResult> {
  const done = await onApplication(applicationId, async (ctx, input) => deployLatestCommit(await getDb(), ctx, await getDeployQueue(), input));
  if (!done.ok) return done;
  const result = done.value;
  return {
    ok: true,
    message: `Deployment of ${result.commitSha.slice(0, 12)} (the head of ${result.branch}) queued.`,
    deploymentId: result.deploymentId,
    commitSha: result.commitSha,
  };
}
