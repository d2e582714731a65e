// An application's environment variables. Every function runs in the caller's transaction (runAsUser), authorizes
// through the application's project first, scopes every query by the authorized application id, and audits with
// keys only. Secrets are write-only: listEnvVars returns a mask for them; their plaintext leaves this module only
// through revealSecret and exportDotenv, for those allowed env.reveal_secret, and each time is audited.
// Writes go to env_vars only; applications.env_vars is a mirror of the plain rows kept by triggers (decision D25).
import { AppError } from '@/lib/errors';
import { isUniqueViolation } from '@/lib/db/errors';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { can } from '@/lib/auth/permissions';
import { envVarRefSchema, setEnvVarSchema, type EnvVarRefInput, type SetEnvVarInput } from '@/lib/validation/env';
import { auditEnv as audit, authorizeEnv, lockApplication } from './access';
import { serializeDotenv, type DotenvItem } from './dotenv';
import { decryptValue, encryptValue, type KeyOptions } from './secret-values';

export const ENV_KEY_UNIQUE = 'env_vars_application_id_key_key';

export type EnvVarRow =
  | { key: string; isSecret: false; masked: false; value: string; createdAt: Date }
  | { key: string; isSecret: true; masked: true; createdAt: Date };

export type SetEnvVarResult = { key: string; created: boolean; isSecret: boolean };

export async function listEnvVars(tx: Tx, ctx: WorkContext, input: { applicationId: string }): Promise<EnvVarRow[]> {
  // A malformed id is answered like a missing application (and audited) by the access check.
  const app = await authorizeEnv(tx, ctx, input.applicationId, 'env.read');
  const rows = await tx.envVar.findMany({
    where: { applicationId: app.id },
    orderBy: { key: 'asc' },
    select: { key: true, value: true, isSecret: true, createdAt: true },
  });
  return rows.map(({ key, value, isSecret, createdAt }): EnvVarRow =>
    isSecret ? { key, isSecret: true, masked: true, createdAt } : { key, isSecret: false, masked: false, value, createdAt },
  );
}

/**
 * Adds (mode 'create') or changes (mode 'update') one variable. Making it secret encrypts it. On update an empty
 * value keeps a secret's stored value while it stays secret; turning a secret into a plain variable needs its new
 * value typed, so nobody reads a secret back by unticking the box (a team member may set secrets, not read them).
 */
export async function setEnvVar(tx: Tx, ctx: WorkContext, input: SetEnvVarInput, options: KeyOptions = {}): Promise<SetEnvVarResult> {
  const { applicationId, key, value, isSecret, mode } = setEnvVarSchema.parse(input);
  const app = await authorizeEnv(tx, ctx, applicationId, 'env.write');
  await lockApplication(tx, app.id);
  const existing = await tx.envVar.findUnique({
    where: { applicationId_key: { applicationId: app.id, key } },
    select: { id: true, isSecret: true },
  });
  if (mode === 'create' && existing) {
    throw new AppError('conflict', `${key} is already set: change it with Edit in the table.`, { field: 'key' });
  }
  if (mode === 'update' && !existing) {
    throw new AppError('not_found', `${key} is not set (it may have been deleted meanwhile): add it again.`, { field: 'key' });
  }
  const keep = existing?.isSecret === true && isSecret && value === '';
  if (existing?.isSecret && !isSecret && value === '') {
    throw new AppError('invalid', `Type the value ${key} should have as a plain variable: a secret's stored value is never shown.`, {
      field: 'value',
    });
  }

  if (existing) {
    if (!keep) {
      const stored = isSecret ? await encryptValue(options, value) : value;
      await tx.envVar.update({ where: { id: existing.id }, data: { value: stored, isSecret } });
    }
  } else {
    await tx.envVar.create({ data: { applicationId: app.id, key, isSecret, value: isSecret ? await encryptValue(options, value) : value } });
  }
  await audit(tx, ctx, app, 'env.update', {
    key,
    created: !existing,
    stored: isSecret ? 'encrypted' : 'plain',
    ...(keep ? { valueChanged: false } : {}),
  });
  return { key, created: !existing, isSecret };
}

export async function deleteEnvVar(tx: Tx, ctx: WorkContext, input: EnvVarRefInput): Promise<void> {
  const { applicationId, key } = envVarRefSchema.parse(input);
  const app = await authorizeEnv(tx, ctx, applicationId, 'env.write');
  await lockApplication(tx, app.id);
  const { count } = await tx.envVar.deleteMany({ where: { applicationId: app.id, key } });
  if (count === 0) throw new AppError('not_found', `${key} is not set (it may have been deleted already).`);
  await audit(tx, ctx, app, 'env.delete', { key });
}

/** One secret's plaintext, for a person allowed env.reveal_secret (project owner, team owner/admin); audited. */
export async function revealSecret(tx: Tx, ctx: WorkContext, input: EnvVarRefInput, options: KeyOptions = {}): Promise<string> {
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
export async function exportDotenv(tx: Tx, ctx: WorkContext, input: { applicationId: string }, options: KeyOptions = {}): Promise<DotenvExport> {
  const app = await authorizeEnv(tx, ctx, input.applicationId, 'env.read');
  const reveal = can(ctx.actor, 'env.reveal_secret', app.project.resource);
  const rows = await tx.envVar.findMany({ where: { applicationId: app.id }, orderBy: { key: 'asc' }, select: { key: true, value: true, isSecret: true } });
  const items: DotenvItem[] = [{ comment: `Environment of ${app.project.name}/${app.name}, exported from Slipway at ${new Date().toISOString()}` }];
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

/** A concurrent add of the same key (the unique index) becomes the same message as a key that was already there. */
export function translateEnvError(error: unknown, key?: string): unknown {
  if (isUniqueViolation(error, ENV_KEY_UNIQUE)) {
    return new AppError('conflict', `${key ?? 'That variable'} is already set: change it with Edit in the table.`, { field: 'key' });
  }
  return error;
}

export { ARCHIVED_MESSAGE } from './access';
export { bulkApplyEnv, type BulkApplyResult } from './bulk';
