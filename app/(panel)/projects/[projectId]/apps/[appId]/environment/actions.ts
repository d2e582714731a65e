'use server';

// The Environment tab. Each lib/env-vars function authorizes through the project, writes and audits in one
// transaction; formAction does the steps around it. A secret's value is never echoed back in an ActionState: the
// forms keep what was typed on the client instead.
import { callAction, formAction } from '@/lib/actions/form-action';
import type { ActionState } from '@/lib/actions/state';
import type { DotenvError } from '@/lib/env-vars/dotenv';
import { bulkApplyEnv, deleteEnvVar, setEnvVar, translateEnvError } from '@/lib/env-vars/mutations';
import { revealSecret } from '@/lib/env-vars/queries';
import { bulkApplySchema, envVarRefSchema, fromTextarea, setEnvVarSchema } from '@/lib/validation/env';

const ENVIRONMENT_PAGE: [string, 'page'] = ['/projects/[projectId]/apps/[appId]/environment', 'page'];

export const setEnvVarAction = formAction({
  schema: setEnvVarSchema,
  keys: ['applicationId', 'key', 'value', 'isSecret', 'mode'],
  // What is echoed back: never a value that was meant to be secret.
  echo: ({ key, isSecret, value }) => ({ key, isSecret, value: isSecret ? '' : fromTextarea(value) }),
  input: (values) => ({ ...values, value: fromTextarea(values.value) }),
  run: (tx, ctx, input) => setEnvVar(tx, ctx, input),
  translate: (error, { key }) => translateEnvError(error, key),
  revalidate: [ENVIRONMENT_PAGE],
  success: ({ created, caution }, { key, isSecret }) =>
    `${key} ${created ? 'added' : 'saved'} as a ${isSecret ? 'secret' : 'variable'}.${caution ? ` Note: ${caution}` : ''}`,
});

export const deleteEnvVarAction = formAction({
  schema: envVarRefSchema,
  keys: ['applicationId', 'key'],
  run: deleteEnvVar,
  revalidate: [ENVIRONMENT_PAGE],
  success: (_, { key }) => `${key} deleted.`,
});

export type BulkState = ActionState & { lineErrors?: DotenvError[] };

export const bulkApplyEnvAction: (prev: BulkState, form: FormData) => Promise<BulkState> = formAction({
  schema: bulkApplySchema,
  keys: ['applicationId', 'text', 'mode', 'secretKeys'],
  // The pasted text may hold secrets: it stays in the browser's textarea and is not echoed.
  echo: ['mode', 'secretKeys'],
  input: (values) => ({ ...values, text: fromTextarea(values.text) }),
  run: bulkApplyEnv,
  translate: (error) => translateEnvError(error),
  revalidate: (_, result) => (result.ok ? [ENVIRONMENT_PAGE] : []),
  success: (result, _, values) => {
    if (!result.ok) {
      const count = result.errors.length;
      return {
        ok: false,
        message: `Nothing was saved: ${count} line${count === 1 ? ' needs' : 's need'} fixing.`,
        lineErrors: result.errors,
        values,
      };
    }
    const parts = [
      `${result.created.length} added`,
      `${result.updated.length} changed`,
      ...(result.mode === 'replace' ? [`${result.deleted.length} deleted`] : []),
      `${result.unchanged} unchanged`,
    ];
    const kept = result.keptSecrets.length
      ? ` Secrets not in the paste were kept: ${result.keptSecrets.join(', ')}.`
      : '';
    const notes = result.cautions.map((caution) => ` Note: ${caution}`).join('');
    return { message: `Saved: ${parts.join(', ')}.${kept}${notes}`, values };
  },
});

export type RevealResult = { ok: true; value: string } | { ok: false; message: string };

/** Returns one secret's plaintext to the person who asked (audited as env.reveal); it is never rendered by the server. */
export const revealSecretAction: (applicationId: string, key: string) => Promise<RevealResult> = callAction({
  args: (applicationId: string, key: string) => ({ applicationId, key }),
  schema: envVarRefSchema,
  run: (tx, ctx, input) => revealSecret(tx, ctx, input),
  success: (value) => ({ ok: true as const, value }),
});
