// Options of the dashboard's project list. The page parses its URL search params with this schema and
// listDashboardProjects() parses again, so a bad value is refused the same way whichever door it came in by.
import { z } from 'zod';

export const DASHBOARD_PAGE_SIZE = 50;
export const DASHBOARD_MAX_PAGE_SIZE = 100;

/** The last (name, id) of a page: the next page starts strictly after it. */
export type DashboardCursor = { name: string; id: string };

const cursorPayloadSchema = z.tuple([z.string().min(1).max(255), z.uuid()]);

const CURSOR_INVALID = 'This page link is not valid (it may have been cut short): start again from the first page.';

export function encodeCursor({ name, id }: DashboardCursor): string {
  return Buffer.from(JSON.stringify([name, id]), 'utf8').toString('base64url');
}

export const dashboardCursorSchema = z
  .string()
  // 255 characters of name, each up to 4 UTF-8 bytes, plus a uuid, as base64url: well under 1,500.
  .max(1500, CURSOR_INVALID)
  .regex(/^[A-Za-z0-9_-]+$/, CURSOR_INVALID)
  .transform((value, ctx): DashboardCursor => {
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    } catch {
      payload = undefined;
    }
    const parsed = cursorPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: CURSOR_INVALID });
      return z.NEVER;
    }
    const [name, id] = parsed.data;
    return { name, id };
  });

/** A tag the dashboard can filter by. */
export const dashboardTagSchema = z
  .string()
  .max(50, 'A tag has at most 50 characters')
  .regex(/^[a-z0-9_-]+$/, 'Tags use lowercase letters, digits, - and _ only');

// An empty field of the GET form arrives as "": the same as leaving the filter out.
const blankAsUndefined = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

export const dashboardOptionsSchema = z.object({
  after: z.preprocess(blankAsUndefined, dashboardCursorSchema.optional()),
  limit: z
    .number()
    .int()
    .min(1, 'The page size must be at least 1')
    .max(DASHBOARD_MAX_PAGE_SIZE, `The page size can be at most ${DASHBOARD_MAX_PAGE_SIZE}`)
    .default(DASHBOARD_PAGE_SIZE),
  search: z.preprocess(blankAsUndefined, z.string().max(100, 'Search for at most 100 characters').optional()),
  tag: z.preprocess(blankAsUndefined, dashboardTagSchema.optional()),
});

/** What callers pass: strings as typed (blank means no filter) and the cursor as encoded in the page link. */
export type DashboardOptions = { after?: string; limit?: number; search?: string; tag?: string };
/** What the query uses (trimmed, defaults applied, cursor decoded). */
export type DashboardQuery = z.output<typeof dashboardOptionsSchema>;
