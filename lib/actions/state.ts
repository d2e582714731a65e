// The one shape every server action returns to its form (useActionState): expected failures are returned, not thrown.
import type { z } from 'zod';

import { AppError } from '@/lib/errors';

export type ActionState = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  /** What the person typed, echoed back so the form keeps it (never secrets). */
  values?: Record<string, string>;
};

export const initialActionState: ActionState = { ok: false };

export const CHECK_FIELDS = 'Check the highlighted fields.';
export const SERVER_FAILED = 'Something went wrong on the server. Nothing was changed; try again.';

export function formValues(form: FormData, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, typeof form.get(k) === 'string' ? String(form.get(k)) : '']));
}

/**
 * Every field's errors, keyed by the field's name: the issue's first path segment, or for issues under `nested`
 * the dotted path below it (forms whose field names are paths: "ports.1.published").
 */
export function invalid(error: z.ZodError, values?: Record<string, string>, nested?: string): ActionState {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const [first, ...rest] = issue.path;
    const key = nested !== undefined && first === nested && rest.length ? rest.join('.') : String(first ?? 'form');
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return { ok: false, message: CHECK_FIELDS, fieldErrors, values };
}

/**
 * The one mapping of a failure to what the form shows: an AppError about one field beside that field, any other
 * AppError as the message, anything else logged and reported without details.
 */
export function actionFailure(error: unknown, values?: Record<string, string>): ActionState {
  if (error instanceof AppError && error.field) {
    return { ok: false, message: CHECK_FIELDS, fieldErrors: { [error.field]: [error.message] }, values };
  }
  if (error instanceof AppError) return { ok: false, message: error.message, values };
  console.error('[slipway] action failed', error);
  return { ok: false, message: SERVER_FAILED, values };
}
