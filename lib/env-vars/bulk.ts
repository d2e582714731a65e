// Bulk edit: a pasted .env text applied in one transaction, or not at all. How secrets are treated:
// - A key pasted that is already secret gets the pasted value and stays secret (a paste never turns a secret plain).
// - Keys listed in `secretKeys` are stored encrypted (new keys, and plain keys being made secret).
// - Other new keys are plain.
// - 'replace' deletes the plain variables the paste leaves out, never a secret: nobody without reveal rights can
//   paste a secret's value back (export and the editor give them a comment line instead), so a replace built from
//   them would silently wipe secrets. Secrets are removed one at a time, with Delete.
import { AppError } from '@/lib/errors';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { bulkApplySchema, type BulkApplyInput, type BulkMode } from '@/lib/validation/env';
import { auditEnv, authorizeEnv, lockApplication } from './access';
import { parseDotenv, type DotenvError } from './dotenv';
import { decryptValue, encryptValue, type KeyOptions } from './secret-values';

export type BulkApplyResult =
  | { ok: false; errors: DotenvError[] }
  | { ok: true; mode: BulkMode; created: string[]; updated: string[]; deleted: string[]; unchanged: number; keptSecrets: string[] };

export async function bulkApplyEnv(tx: Tx, ctx: WorkContext, input: BulkApplyInput, options: KeyOptions = {}): Promise<BulkApplyResult> {
  const { applicationId, text, mode, secretKeys } = bulkApplySchema.parse(input);
  const app = await authorizeEnv(tx, ctx, applicationId, 'env.write');
  const parsed = parseDotenv(text);
  if (parsed.errors.length) return { ok: false, errors: parsed.errors };
  const pasted = new Set(parsed.entries.map((entry) => entry.key));
  const strays = secretKeys.filter((key) => !pasted.has(key));
  if (strays.length) {
    throw new AppError('invalid', `Not in the pasted text: ${strays.join(', ')}. List only keys the paste sets.`, { field: 'secretKeys' });
  }
  const makeSecret = new Set(secretKeys);

  await lockApplication(tx, app.id);
  const existing = new Map(
    (await tx.envVar.findMany({ where: { applicationId: app.id }, select: { id: true, key: true, value: true, isSecret: true } })).map(
      (row) => [row.key, row],
    ),
  );

  const created: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  const inserts: { applicationId: string; key: string; value: string; isSecret: boolean }[] = [];
  for (const { key, value } of parsed.entries) {
    const row = existing.get(key);
    const secret = row?.isSecret === true || makeSecret.has(key);
    if (!row) {
      inserts.push({ applicationId: app.id, key, isSecret: secret, value: secret ? await encryptValue(options, value) : value });
      created.push(key);
      continue;
    }
    if (await sameValue(options, row, value, secret)) {
      unchanged += 1;
      continue;
    }
    await tx.envVar.update({ where: { id: row.id }, data: { isSecret: secret, value: secret ? await encryptValue(options, value) : value } });
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
  return { ok: true, mode, created, updated, deleted, unchanged, keptSecrets };
}

// Unchanged rows are not rewritten (nor re-encrypted), so a paste of the same text changes nothing and audits nothing.
async function sameValue(options: KeyOptions, row: { key: string; value: string; isSecret: boolean }, value: string, secret: boolean) {
  if (row.isSecret !== secret) return false;
  if (!secret) return row.value === value;
  try {
    return (await decryptValue(options, row.key, row.value)) === value;
  } catch {
    return false; // A value that no longer decrypts is simply replaced by the one pasted.
  }
}
