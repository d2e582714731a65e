'use server';

// The Source tab's webhook and repository access. Each lib/git-sources function authorizes against the application,
// writes and audits in one transaction; formAction and callAction do the steps around it. A secret comes back only in
// the result of the action that asked for it (reveal, regenerate), to that person; a token is never echoed, not even
// into a refused form's values.
import { callAction, formAction, type Revalidation } from '@/lib/actions/form-action';
import type { ActionState } from '@/lib/actions/state';
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
import { applicationRefSchema } from '@/lib/validation/application';
import { redeliverSchema, setAccessTokenSchema, webhookSettingsSchema } from '@/lib/validation/git-source';

// The Source and Webhook tabs both show the source's settings: revalidate the application's pages.
const APP_PAGES: Revalidation[] = [['/projects/[projectId]/apps/[appId]', 'layout']];
const byId = (applicationId: string) => ({ applicationId });

export type SecretResult = { ok: true; secret: string; createdAt?: string } | { ok: false; message: string };
export type DeployResult = ActionState & { deploymentId?: string | null; commitSha?: string };

/** The webhook secret's plaintext, to the person who asked (audited); the page itself never renders it. */
export const revealWebhookSecretAction: (applicationId: string) => Promise<SecretResult> = callAction({
  args: byId,
  schema: applicationRefSchema,
  run: (tx, ctx, input) => revealWebhookSecret(tx, ctx, input),
  success: (secret) => ({ ok: true as const, secret }),
});

/** A new webhook secret, shown to the person who made it; the old one stops working at once. */
export const regenerateWebhookSecretAction: (applicationId: string) => Promise<SecretResult> = callAction({
  args: byId,
  schema: applicationRefSchema,
  run: (tx, ctx, input) => regenerateWebhookSecret(tx, ctx, input),
  revalidate: APP_PAGES,
  success: ({ secret, createdAt }) => ({ ok: true as const, secret, createdAt }),
});

export const updateWebhookSettingsAction = formAction({
  schema: webhookSettingsSchema,
  keys: ['applicationId', 'autoDeploy', 'watchedBranch', 'deployTags'],
  run: updateWebhookSettings,
  revalidate: APP_PAGES,
  success: (saved, _, values) => {
    const what = saved.autoDeploy
      ? `pushes to ${saved.watchedBranch}${saved.deployTags ? ' and tag pushes' : ''} deploy`
      : 'auto-deploy is off';
    return { message: `Webhook settings saved: ${what}.`, values };
  },
});

export const createDeployKeyAction: (applicationId: string) => Promise<ActionState> = callAction({
  args: byId,
  schema: applicationRefSchema,
  run: (tx, ctx, input) => createDeployKey(tx, ctx, input),
  revalidate: APP_PAGES,
  success: ({ fingerprint }) => ({
    ok: true,
    message: `Deploy key ${fingerprint} generated: add its public key to the repository as a read-only deploy key.`,
  }),
});

export const setAccessTokenAction = formAction({
  schema: setAccessTokenSchema,
  keys: ['applicationId', 'token', 'username'],
  // The token is never echoed back: a refused form keeps it in the browser's field instead.
  echo: ['username'],
  run: setAccessToken,
  revalidate: APP_PAGES,
  success: ({ username }) => `Access token saved (sent with the user name ${username}). It is never shown again.`,
});

export const removeCredentialsAction: (applicationId: string) => Promise<ActionState> = callAction({
  args: byId,
  schema: applicationRefSchema,
  run: (tx, ctx, input) => removeCredentials(tx, ctx, input),
  revalidate: APP_PAGES,
  success: ({ removed }) => {
    const what =
      removed === 'deploy_key'
        ? 'Deploy key removed: delete it from the provider too.'
        : removed === 'token'
          ? 'Access token removed: revoke it at the provider too.'
          : 'Nothing to remove.';
    return { ok: true, message: `${what} The repository is now fetched without credentials.` };
  },
});

export const redeliverAction: (applicationId: string, deliveryRowId: string) => Promise<DeployResult> = callAction({
  args: (applicationId: string, deliveryRowId: string) => ({ applicationId, deliveryRowId }),
  schema: redeliverSchema,
  prepare: getDeployQueue,
  run: (tx, ctx, input, queue) => redeliver(tx, ctx, queue, input),
  revalidate: APP_PAGES,
  success: (result) => {
    const short = result.commitSha.slice(0, 12);
    const said: Record<string, string> = {
      queued: `Redelivered: a deployment of ${short} is queued.`,
      coalesced: `Redelivered: the pending deployment now deploys ${short}.`,
      duplicate: `Redelivered: ${short} is already on its way, nothing new was queued.`,
    };
    const message = said[result.outcome] ?? `Redelivered, nothing deployed: ${result.reason ?? result.outcome}.`;
    return { ok: true, message, deploymentId: result.deploymentId, commitSha: result.commitSha };
  },
});

export const deployLatestCommitAction: (applicationId: string) => Promise<DeployResult> = callAction({
  args: byId,
  schema: applicationRefSchema,
  prepare: getDeployQueue,
  // ls-remote is network: deployLatestCommit runs its own transactions before and after it.
  call: (db, ctx, input, queue) => deployLatestCommit(db, ctx, queue, input),
  revalidate: APP_PAGES,
  success: (result) => ({
    ok: true,
    message: `Deployment of ${result.commitSha.slice(0, 12)} (the head of ${result.branch}) queued.`,
    deploymentId: result.deploymentId,
    commitSha: result.commitSha,
  }),
});
