// API tokens: what a person may ask for when creating one, shared by the settings form, its action and
// createApiToken() (which parses again, so every door refuses the same things).
import { z } from 'zod';

import { idSchema } from './ids';
import { TOKEN_MAX_DAYS, TOKEN_MIN_DAYS, TOKEN_NAME_MAX } from './rules';

export { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TOKEN_MIN_DAYS, TOKEN_NAME_MAX } from './rules';

export const tokenNameSchema = z
  .string('Give the token a name')
  .trim()
  .min(1, 'Give the token a name, e.g. "CI deploys"')
  .max(TOKEN_NAME_MAX, `A token name has at most ${TOKEN_NAME_MAX} characters`)
  // Names are shown in lists and the audit log: no control characters (newlines, escapes).
  .regex(/^[^\p{Cc}]+$/u, 'A token name cannot contain control characters such as line breaks');

const DAYS_MESSAGE = `Choose a whole number of days from ${TOKEN_MIN_DAYS} to ${TOKEN_MAX_DAYS}`;

export const tokenExpiryDaysSchema = z.preprocess(
  // Form fields arrive as strings; a blank one is "not given", not 0.
  (value) => (typeof value === 'string' ? (value.trim() === '' ? undefined : Number(value.trim())) : value),
  z.number(DAYS_MESSAGE).int(DAYS_MESSAGE).min(TOKEN_MIN_DAYS, DAYS_MESSAGE).max(TOKEN_MAX_DAYS, DAYS_MESSAGE),
);

export const createTokenSchema = z.object({
  name: tokenNameSchema,
  expiresInDays: tokenExpiryDaysSchema,
});
export type CreateTokenInput = z.input<typeof createTokenSchema>;
export type CreateToken = z.output<typeof createTokenSchema>;

export const revokeTokenSchema = z.object({
  tokenId: idSchema('token'),
});
export type RevokeToken = z.output<typeof revokeTokenSchema>;
