// Reading an application's environment variables. Every function runs in the caller's transaction (runAsUser),
// authorizes through the application's project first and scopes every query by the authorized application id.
// Secrets are write-only: listEnvVars returns a mask for them; their plaintext leaves this module only through
// revealSecret and exportDotenv, for those allowed env.reveal_secret, and each time is audited (keys only).
import { can } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { envVarRefSchema, type EnvVarRefInput } from '@/lib/validation/env';

import { auditEnv as audit, authorizeEnv } from './access';
import { serializeDotenv, type DotenvItem } from './dotenv';
import { decryptValue, type KeyOptions } from './secret-values';

export type EnvVarRow =
  | { key: string; isSecret: false; masked: false; value: string; createdAt: Date }
  | { key: string; isSecret: true; masked: true; createdAt: Date };

export async function listEnvVars(tx: Tx, ctx: WorkContext, input: { applicationId: string }): Promise<EnvVarRow[]> {
  // A malformed id is answered like a missing application (and audited) by the access check.
  const app = await authorizeEnv(tx, ctx, input.applicationId, 'env.read');
  const rows = await tx.envVar.findMany({
    where: { applicationId: app.id },
    orderBy: { key: 'asc' },
    select: { key: true, value: true, isSecret: true, createdAt: true },
  });
  return rows.map(({ key, value, isSecret, createdAt }): EnvVarRow =>
    isSecret
      ? { key, isSecret: true, masked: true, createdAt }
      : { key, isSecret: false, masked: false, value, createdAt },
  );
}

/** One secret's plaintext, for a person allowed env.reveal_secret (project owner, team owner/admin); audited. */
export async function revealSecret(
  tx: Tx,
  ctx: WorkContext,
  input: EnvVarRefInput,
  options: KeyOptions = {},
): Promise<string> {
  const { applicationId, key } = envVarRefSchema.parse(input);
  const app = await authorizeEnv(tx, ctx, applicationId, 'env.reveal_secret');
  const row = await tx.envVar.findUnique({
    where: { applicationId_key: { applicationId: app.id, key } },
    select: { value: true, isSecret: true },
  });
  if (!row) throw new AppError('not_found', `${key} is not set (it may have been deleted meanwhile).`);
  if (!row.isSecret) throw new AppError('invalid', `${key} is not a secret: its value is shown in the table.`);
  const plaintext = await decryptValue(options, key, row.value);
  await audit(tx, ctx, app, 'env.reveal', { key });
  return plaintext;
}

export type DotenvExport = { filename: string; text: string; includesSecrets: boolean };

/**
 * The variables as .env text. Secret values are included only for those allowed env.reveal_secret (and that is
 * audited as env.reveal with the keys); for everyone else each secret is a comment line naming its key.
 */
export async function exportDotenv(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string },
  options: KeyOptions = {},
): Promise<DotenvExport> {
  const app = await authorizeEnv(tx, ctx, input.applicationId, 'env.read');
  const reveal = can(ctx.actor, 'env.reveal_secret', app.project.resource);
  const rows = await tx.envVar.findMany({
    where: { applicationId: app.id },
    orderBy: { key: 'asc' },
    select: { key: true, value: true, isSecret: true },
  });
  const items: DotenvItem[] = [
    { comment: `Environment of ${app.project.name}/${app.name}, exported from Slipway at ${new Date().toISOString()}` },
  ];
  const revealed: string[] = [];
  for (const row of rows) {
    if (!row.isSecret) items.push({ key: row.key, value: row.value });
    else if (!reveal) items.push({ comment: `${row.key}=<secret: ask an admin>` });
    else {
      items.push({ key: row.key, value: await decryptValue(options, row.key, row.value) });
      revealed.push(row.key);
    }
  }
  if (revealed.length) await audit(tx, ctx, app, 'env.reveal', { keys: revealed, via: 'export' });
  return { filename: `${app.name}.env`, text: serializeDotenv(items), includesSecrets: revealed.length > 0 };
}
