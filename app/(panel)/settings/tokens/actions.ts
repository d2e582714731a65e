'use server';

// API tokens of the signed-in person. createApiToken and revokeApiToken check can() themselves (revoking needs the
// token's owner, read under a lock) and audit in the same transaction; formAction does the steps around them.
import { formAction } from '@/lib/actions/form-action';
import type { ActionState } from '@/lib/actions/state';
import { createApiToken, revokeApiToken } from '@/lib/auth/tokens';
import { createTokenSchema, revokeTokenSchema } from '@/lib/validation/tokens';

const TOKENS_PATH = '/settings/tokens';

/** The new token travels to the browser in this state once, and is never readable again. */
export type CreatedToken = { token: string; name: string; expiresAt: string };
export type CreateTokenState = ActionState & { created?: CreatedToken };

export const createTokenAction: (prev: CreateTokenState, form: FormData) => Promise<CreateTokenState> = formAction({
  schema: createTokenSchema,
  keys: ['name', 'expiresInDays'],
  run: createApiToken,
  revalidate: [TOKENS_PATH],
  success: ({ token, expiresAt }, { name }) => ({
    message: `Token "${name}" created.`,
    created: { token, name, expiresAt: expiresAt.toISOString() },
  }),
});

export const revokeTokenAction = formAction({
  schema: revokeTokenSchema,
  keys: ['tokenId'],
  run: revokeApiToken,
  revalidate: [TOKENS_PATH],
  success: 'Token revoked: it no longer works.',
});
