// A git source's webhook and repository access, as the Source tab submits them: the webhook settings, an access
// token (write-only), a redelivery, and the deliveries list's keyset. Shared by the tab's actions and
// lib/git-sources (which parses again). The watched branch follows the branch rule git itself is held to.
import { z } from 'zod';

import { applicationIdSchema, branchProblem } from './application';
import { checkboxSchema } from './checkbox';
import { encodeKeyset, keysetCursorSchema } from './cursor';
import { ACCESS_TOKEN_MAX, TOKEN_USERNAME_MAX } from './git-source-limits';
import { idSchema } from './ids';

export { ACCESS_TOKEN_MAX, TOKEN_USERNAME_MAX };
export const DELIVERIES_PAGE_SIZE = 25;

const blankAsNull = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '') ? null : value;

/** The branch whose pushes deploy; blank means "the source's branch" (and follows it when that changes). */
export const watchedBranchSchema = z.preprocess(
  blankAsNull,
  z
    .string('Give a branch, or leave it blank to follow the source’s branch.')
    .superRefine((value, ctx) => {
      const problem = branchProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullable(),
);

export const webhookSettingsSchema = z.object({
  applicationId: applicationIdSchema,
  autoDeploy: checkboxSchema,
  watchedBranch: watchedBranchSchema,
  deployTags: checkboxSchema,
});
export type WebhookSettingsInput = z.input<typeof webhookSettingsSchema>;

export const TOKEN_RULE = `Paste the token as the provider shows it: 1 to ${ACCESS_TOKEN_MAX} printable characters, no spaces.`;
export const TOKEN_USERNAME_RULE = `A user name has at most ${TOKEN_USERNAME_MAX} printable characters, without spaces or “:”.`;

/** Why `value` cannot be a token, or null. Printable ASCII only: a token is sent in an HTTP header. */
export function accessTokenProblem(value: string): string | null {
  if (value === '') return `Paste the token. ${TOKEN_RULE}`;
  if (value.length > ACCESS_TOKEN_MAX) return `That is ${value.length} characters long. ${TOKEN_RULE}`;
  if (/\s/.test(value)) return `A token has no spaces or line breaks: paste it again. ${TOKEN_RULE}`;
  if (!/^[\x21-\x7e]+$/.test(value)) return `A token has only printable ASCII characters. ${TOKEN_RULE}`;
  return null;
}

export const accessTokenSchema = z.string(`Paste the token. ${TOKEN_RULE}`).superRefine((value, ctx) => {
  const problem = accessTokenProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The user name sent beside the token (HTTP Basic); blank means the provider's usual one. */
export const tokenUsernameSchema = z.preprocess(
  blankAsNull,
  z
    .string(TOKEN_USERNAME_RULE)
    .max(TOKEN_USERNAME_MAX, TOKEN_USERNAME_RULE)
    .regex(/^[\x21-\x39\x3b-\x7e]+$/, TOKEN_USERNAME_RULE)
    .nullable(),
);

export const setAccessTokenSchema = z.object({
  applicationId: applicationIdSchema,
  token: accessTokenSchema,
  username: tokenUsernameSchema.optional(),
});
export type SetAccessTokenInput = z.input<typeof setAccessTokenSchema>;

export const deliveryRowIdSchema = idSchema('delivery');
export const redeliverSchema = z.object({ applicationId: applicationIdSchema, deliveryRowId: deliveryRowIdSchema });
export type RedeliverInput = z.input<typeof redeliverSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The deliveries list's keyset: (created_at, id) of a page's last row, created_at to the microsecond.

export type DeliveryCursor = { createdAt: string; id: string };
const EXACT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export const encodeDeliveryCursor = ({ createdAt, id }: DeliveryCursor) => encodeKeyset([createdAt, id]);
export const deliveryCursorSchema = keysetCursorSchema(
  z.tuple([
    z
      .string()
      .regex(EXACT_TIMESTAMP)
      .refine((value) => !Number.isNaN(Date.parse(value))),
    idSchema('page'),
  ]),
  {
    maxLength: 200,
    message: 'This page link is not valid (it may have been cut short): start again from the newest deliveries.',
  },
).transform(([createdAt, id]): DeliveryCursor => ({ createdAt, id }));
