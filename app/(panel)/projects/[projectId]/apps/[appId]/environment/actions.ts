'use server';

// The Environment tab. Each action: requireUser → safeParse → the lib/env-vars function as the user (it authorizes
// through the project, writes and audits in one transaction) → revalidatePath. A secret's value is never echoed
// back in an ActionState: the forms keep what was typed on the client instead.
import { revalidatePath } from 'next/cache';
import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import type { Tx } from '@/lib/db/context';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import type { DotenvError } from '@/lib/env-vars/dotenv';
import { bulkApplyEnv, deleteEnvVar, revealSecret, setEnvVar, translateEnvError } from '@/lib/env-vars/env-vars';
import { getRequestMeta } from '@/lib/http/request-meta';
import { bulkApplySchema, envVarRefSchema, fromTextarea, setEnvVarSchema } from '@/lib/validation/env';

const ENVIRONMENT_PAGE = '/projects/[projectId]/apps/[appId]/environment';

async function run<T>(user: SessionUser, work: (tx: Tx, ctx: WorkContext) => Promise<T>, key?: string): Promise<T> {
  const ctx: WorkContext = { actor: user, meta: await getRequestMeta() };
  return runAsUser(await getDb(), ctx, (tx) => work(tx, ctx), (error) => translateEnvError(error, key));
}

export async function setEnvVarAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const raw = formValues(form, ['applicationId', 'key', 'value', 'isSecret', 'mode']);
  const input = { ...raw, value: fromTextarea(raw.value ?? '') };
  // What is echoed back: never a value that was meant to be secret.
  const values = { key: raw.key ?? '', isSecret: raw.isSecret ?? '', value: raw.isSecret ? '' : input.value };
  const parsed = setEnvVarSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, values);
  let created: boolean;
  try {
    created = (await run(user, (tx, ctx) => setEnvVar(tx, ctx, parsed.data), parsed.data.key)).created;
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath(ENVIRONMENT_PAGE, 'page');
  const what = parsed.data.isSecret ? 'secret' : 'variable';
  return { ok: true, message: `${parsed.data.key} ${created ? 'added' : 'saved'} as a ${what}.` };
}

export async function deleteEnvVarAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = envVarRefSchema.safeParse(formValues(form, ['applicationId', 'key']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await run(user, (tx, ctx) => deleteEnvVar(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(ENVIRONMENT_PAGE, 'page');
  return { ok: true, message: `${parsed.data.key} deleted.` };
}

export type BulkState = ActionState & { lineErrors?: DotenvError[] };

export async function bulkApplyEnvAction(_prev: BulkState, form: FormData): Promise<BulkState> {
  const user = await requireUser();
  const raw = formValues(form, ['applicationId', 'text', 'mode', 'secretKeys']);
  // The pasted text may hold secrets: it stays in the browser's textarea and is not echoed.
  const values = { mode: raw.mode ?? '', secretKeys: raw.secretKeys ?? '' };
  const parsed = bulkApplySchema.safeParse({ ...raw, text: fromTextarea(raw.text ?? '') });
  if (!parsed.success) return invalid(parsed.error, values);
  let result;
  try {
    result = await run(user, (tx, ctx) => bulkApplyEnv(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  if (!result.ok) {
    const count = result.errors.length;
    return {
      ok: false,
      message: `Nothing was saved: ${count} line${count === 1 ? ' needs' : 's need'} fixing.`,
      lineErrors: result.errors,
      values,
    };
  }
  revalidatePath(ENVIRONMENT_PAGE, 'page');
  const parts = [
    `${result.created.length} added`,
    `${result.updated.length} changed`,
    ...(result.mode === 'replace' ? [`${result.deleted.length} deleted`] : []),
    `${result.unchanged} unchanged`,
  ];
  const kept = result.keptSecrets.length ? ` Secrets not in the paste were kept: ${result.keptSecrets.join(', ')}.` : '';
  return { ok: true, message: `Saved: ${parts.join(', ')}.${kept}`, values };
}

export type RevealResult = { ok: true; value: string } | { ok: false; message: string };

/** Returns one secret's plaintext to the person who asked (audited as env.reveal); it is never rendered by the server. */
export async function revealSecretAction(applicationId: string, key: string): Promise<RevealResult> {
  const user = await requireUser();
  const parsed = envVarRefSchema.safeParse({ applicationId, key });
  if (!parsed.success) return { ok: false, message: 'Reload the page and try again.' };
  try {
    return { ok: true, value: await run(user, (tx, ctx) => revealSecret(tx, ctx, parsed.data)) };
  } catch (error) {
    return { ok: false, message: actionFailure(error).message ?? 'Could not reveal the value.' };
  }
}
