// Options of the dashboard's project list. The page parses its URL search params with this schema and
// listDashboardProjects() parses again, so a bad value is refused the same way whichever door it came in by.
import { z } from 'zod';

import { encodeKeyset, keysetCursorSchema } from './cursor';
import { idSchema } from './ids';
import { projectTagSchema } from './project';

export const DASHBOARD_PAGE_SIZE = 50;
export const DASHBOARD_MAX_PAGE_SIZE = 100;

/** The last (name, id) of a page: the next page starts strictly after it. */
export type DashboardCursor = { name: string; id: string };

const cursorPayloadSchema = z.tuple([z.string().min(1).max(255), idSchema('page')]);

const CURSOR_INVALID = 'This page link is not valid (it may have been cut short): start again from the first page.';

export function encodeCursor({ name, id }: DashboardCursor): string {
  return encodeKeyset([name, id]);
}

// 255 characters of name, each up to 4 UTF-8 bytes, plus a uuid, as base64url: well under 1,500.
export const dashboardCursorSchema = keysetCursorSchema(cursorPayloadSchema, {
  maxLength: 1500,
  message: CURSOR_INVALID,
}).transform(([name, id]): DashboardCursor => ({ name, id }));

/** A tag the dashboard can filter by: exactly what a project may be tagged with (lib/validation/project.ts). */
export const dashboardTagSchema = projectTagSchema;

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
