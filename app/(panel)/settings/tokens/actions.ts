'use server';

import { revalidatePath } from 'next/cache';
import { actionFailure, formValues, invalid, type ActionState } from '@/lib/actions/state';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { createApiToken, revokeApiToken } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { getRequestMeta } from '@/lib/http/request-meta';
import { createTokenSchema, revokeTokenSchema } from '@/lib/validation/tokens';

const TOKENS_PATH = '/settings/tokens';

/** The new token travels to the browser in this state once, and is never readable again. */
export type CreatedToken = { token: string; name: string; expiresAt: string };
export type CreateTokenState = ActionState & { created?: CreatedToken };

export async function createTokenAction(_prev: CreateTokenState, form: FormData): Promise<CreateTokenState> {
  const user = await requireUser();
  const values = formValues(form, ['name', 'expiresInDays']);
  const parsed = createTokenSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  if (!can(user, 'token.create', { type: 'token', userId: user.id })) {
    return { ok: false, message: 'You are not allowed to create API tokens.', values };
  }
  try {
    const meta = await getRequestMeta();
    // The audit row is written by createApiToken, in this transaction.
    const created = await asUser(await getDb(), user.id, (tx) =>
      createApiToken(tx, { userId: user.id, ...parsed.data, meta }),
    );
    revalidatePath(TOKENS_PATH);
    return {
      ok: true,
      message: `Token "${parsed.data.name}" created.`,
      created: { token: created.token, name: parsed.data.name, expiresAt: created.expiresAt.toISOString() },
    };
  } catch (error) {
    return actionFailure(error, values);
  }
}

export async function revokeTokenAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = revokeTokenSchema.safeParse({ tokenId: form.get('tokenId') });
  if (!parsed.success) return invalid(parsed.error);
  try {
    const meta = await getRequestMeta();
    // can(user, 'token.revoke', …) needs the token's owner: revokeApiToken reads the row under a lock and asserts
    // it before changing anything, then audits in the same transaction.
    await asUser(await getDb(), user.id, (tx) => revokeApiToken(tx, { actor: user, tokenId: parsed.data.tokenId, meta }));
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(TOKENS_PATH);
  return { ok: true, message: 'Token revoked: it no longer works.' };
}
