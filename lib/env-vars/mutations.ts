// Changing an application's environment variables: one at a time (setEnvVar, deleteEnvVar) or a pasted .env text
// (bulkApplyEnv). Every function runs in the caller's transaction (runAsUser), authorizes through the application's
// project first, locks the application row, scopes every query by the authorized application id, and audits with
// keys only. Writes go to env_vars only; applications.env_vars is a mirror of the plain rows kept by triggers (D25).
//
// Bulk edit: a pasted .env text applied in one transaction, or not at all. How secrets are treated:
// - A key pasted that is already secret gets the pasted value and stays secret (a paste never turns a secret plain).
// - Keys listed in `secretKeys` are stored encrypted (new keys, and plain keys being made secret).
// - Other new keys are plain.
// - 'replace' deletes the plain variables the paste leaves out, never a secret: nobody without reveal rights can
//   paste a secret's value back (export and the editor give them a comment line instead), so a replace built from
//   them would silently wipe secrets. Secrets are removed one at a time, with Delete.
import type { Tx } from '@/lib/db/context';
import { isUniqueViolation } from '@/lib/db/errors';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import {
  bulkApplySchema,
  envKeyCaution,
  envVarRefSchema,
  setEnvVarSchema,
  type BulkApplyInput,
  type BulkMode,
  type EnvVarRefInput,
  type SetEnvVarInput,
} from '@/lib/validation/env';

import { auditEnv, authorizeEnv, lockApplication } from './access';
import { parseDotenv, type DotenvError } from './dotenv';
import { decryptValue, encryptValue, type KeyOptions } from './secret-values';

export const ENV_KEY_UNIQUE = 'env_vars_application_id_key_key';

/** `caution`: what the person should know about the name they used (PATH, HOME …; D70), said beside "saved". */
export type SetEnvVarResult = { key: string; created: boolean; isSecret: boolean; caution: string | null };

/**
 * Adds (mode 'create') or changes (mode 'update') one variable. Making it secret encrypts it. On update an empty
 * value keeps a secret's stored value while it stays secret; turning a secret into a plain variable needs its new
 * value typed, so nobody reads a secret back by unticking the box (a team member may set secrets, not read them).
 */
export async function setEnvVar(
  tx: Tx,
  ctx: WorkContext,
  input: SetEnvVarInput,
  options: KeyOptions = {},
): Promise<SetEnvVarResult> {
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
    throw new AppError('not_found', `${key} is not set (it may have been deleted meanwhile): add it again.`, {
      field: 'key',
    });
  }
  const keep = existing?.isSecret === true && isSecret && value === '';
  if (existing?.isSecret && !isSecret && value === '') {
    throw new AppError(
      'invalid',
      `Type the value ${key} should have as a plain variable: a secret's stored value is never shown.`,
      {
        field: 'value',
      },
    );
  }

  if (existing) {
    if (!keep) {
      const stored = isSecret ? await encryptValue(options, value) : value;
      await tx.envVar.update({ where: { id: existing.id }, data: { value: stored, isSecret } });
    }
  } else {
    await tx.envVar.create({
      data: { applicationId: app.id, key, isSecret, value: isSecret ? await encryptValue(options, value) : value },
    });
  }
  await auditEnv(tx, ctx, app, 'env.update', {
    key,
    created: !existing,
    stored: isSecret ? 'encrypted' : 'plain',
    ...(keep ? { valueChanged: false } : {}),
  });
  return { key, created: !existing, isSecret, caution: envKeyCaution(key) };
}

export async function deleteEnvVar(tx: Tx, ctx: WorkContext, input: EnvVarRefInput): Promise<void> {
  const { applicationId, key } = envVarRefSchema.parse(input);
  const app = await authorizeEnv(tx, ctx, applicationId, 'env.write');
  await lockApplication(tx, app.id);
  const { count } = await tx.envVar.deleteMany({ where: { applicationId: app.id, key } });
  if (count === 0) throw new AppError('not_found', `${key} is not set (it may have been deleted already).`);
  await auditEnv(tx, ctx, app, 'env.delete', { key });
}

export type BulkApplyResult =
  | { ok: false; errors: DotenvError[] }
  | {
      ok: true;
      mode: BulkMode;
      created: string[];
      updated: string[];
      deleted: string[];
      unchanged: number;
      keptSecrets: string[];
      /** What to know about names the paste set (envKeyCaution), one per name. */
      cautions: string[];
    };

export async function bulkApplyEnv(
  tx: Tx,
  ctx: WorkContext,
  input: BulkApplyInput,
  options: KeyOptions = {},
): Promise<BulkApplyResult> {
  const { applicationId, text, mode, secretKeys } = bulkApplySchema.parse(input);
  const app = await authorizeEnv(tx, ctx, applicationId, 'env.write');
  const parsed = parseDotenv(text);
  if (parsed.errors.length) return { ok: false, errors: parsed.errors };
  const pasted = new Set(parsed.entries.map((entry) => entry.key));
  const strays = secretKeys.filter((key) => !pasted.has(key));
  if (strays.length) {
    throw new AppError('invalid', `Not in the pasted text: ${strays.join(', ')}. List only keys the paste sets.`, {
      field: 'secretKeys',
    });
  }
  const makeSecret = new Set(secretKeys);

  await lockApplication(tx, app.id);
  const existing = new Map(
    (
      await tx.envVar.findMany({
        where: { applicationId: app.id },
        select: { id: true, key: true, value: true, isSecret: true },
      })
    ).map((row) => [row.key, row]),
  );

  const created: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  const inserts: { applicationId: string; key: string; value: string; isSecret: boolean }[] = [];
  for (const { key, value } of parsed.entries) {
    const row = existing.get(key);
    const secret = row?.isSecret === true || makeSecret.has(key);
    if (!row) {
      inserts.push({
        applicationId: app.id,
        key,
        isSecret: secret,
        value: secret ? await encryptValue(options, value) : value,
      });
      created.push(key);
      continue;
    }
    if (await sameValue(options, row, value, secret)) {
      unchanged += 1;
      continue;
    }
    await tx.envVar.update({
      where: { id: row.id },
      data: { isSecret: secret, value: secret ? await encryptValue(options, value) : value },
    });
    updated.push(key);
  }
  if (inserts.length) await tx.envVar.createMany({ data: inserts });

  const absent = [...existing.values()].filter((row) => !pasted.has(row.key));
  const deleted = mode === 'replace' ? absent.filter((row) => !row.isSecret).map((row) => row.key) : [];
  const keptSecrets = mode === 'replace' ? absent.filter((row) => row.isSecret).map((row) => row.key) : [];
  if (deleted.length) await tx.envVar.deleteMany({ where: { applicationId: app.id, key: { in: deleted } } });

  if (created.length || updated.length || deleted.length) {
    await auditEnv(tx, ctx, app, 'env.bulk_update', { mode, created, updated, deleted, unchanged });
  }
  const cautions = parsed.entries.map((entry) => envKeyCaution(entry.key)).filter((text) => text !== null);
  return { ok: true, mode, created, updated, deleted, unchanged, keptSecrets, cautions };
}

// Unchanged rows are not rewritten (nor re-encrypted), so a paste of the same text changes nothing and audits nothing.
async function sameValue(
  options: KeyOptions,
  row: { key: string; value: string; isSecret: boolean },
  value: string,
  secret: boolean,
) {
  if (row.isSecret !== secret) return false;
  if (!secret) return row.value === value;
  try {
    return (await decryptValue(options, row.key, row.value)) === value;
  } catch {
    return false; // A value that no longer decrypts is simply replaced by the one pasted.
  }
}

/** A concurrent add of the same key (the unique index) becomes the same message as a key that was already there. */
export function translateEnvError(error: unknown, key?: string): unknown {
  if (isUniqueViolation(error, ENV_KEY_UNIQUE)) {
    return new AppError('conflict', `${key ?? 'That variable'} is already set: change it with Edit in the table.`, {
      field: 'key',
    });
  }
  return error;
}
