// Keyset-pagination cursors: the sort key of the last row of a page, as base64url JSON in the "next page" link.
// Each list decides what the tuple holds; this file only owns the encoding and its refusal of tampered links.
import { z } from 'zod';

export function encodeKeyset(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** A zod schema for a cursor link whose payload must match `payload`; anything else gets `message`. */
export function keysetCursorSchema<T extends z.ZodType>(
  payload: T,
  { maxLength, message }: { maxLength: number; message: string },
) {
  return z
    .string()
    .max(maxLength, message)
    .regex(/^[A-Za-z0-9_-]+$/, message)
    .transform((value, ctx): z.output<T> => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      const parsed = payload.safeParse(decoded);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return parsed.data;
    });
}
