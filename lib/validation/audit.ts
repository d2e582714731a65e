// Filters of the audit page. The page parses its URL search params with this schema and listAuditLogs() parses again,
// so a bad value is refused the same way whichever door it came in by. Every field is optional: blank means "any".
import { z } from 'zod';

import { AUDIT_RESOURCE_TYPES } from '@/lib/audit/write';

import { encodeKeyset, keysetCursorSchema } from './cursor';
import { idSchema } from './ids';

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_MAX_PAGE_SIZE = 200;

/** The last (created_at, id) of a page: the next page starts strictly after it, in (created_at DESC, id DESC) order. */
export type AuditCursor = {
  /** Exact, to the microsecond PostgreSQL stores (a JS Date would round to the millisecond and skip or repeat rows). */
  createdAt: string;
  /** audit_logs.id, a bigint, in decimal. */
  id: string;
};

const CURSOR_INVALID = 'This page link is not valid (it may have been cut short): start again from the newest entries.';
const EXACT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const BIGINT_MAX = 9223372036854775807n;

export function encodeAuditCursor({ createdAt, id }: AuditCursor): string {
  return encodeKeyset([createdAt, id]);
}

const cursorPayloadSchema = z.tuple([
  z
    .string()
    .regex(EXACT_TIMESTAMP)
    .refine((value) => !Number.isNaN(Date.parse(value))),
  z
    .string()
    .regex(/^[1-9]\d{0,18}$/)
    .refine((value) => BigInt(value) <= BIGINT_MAX),
]);

export const auditCursorSchema = keysetCursorSchema(cursorPayloadSchema, {
  maxLength: 200,
  message: CURSOR_INVALID,
}).transform(([createdAt, id]): AuditCursor => ({ createdAt, id }));

/** An action filter: exact (`project.create`) or a prefix ending in `*` (`user.*`). */
export type AuditActionFilter = { value: string; prefix: boolean };

const actionSchema = z
  .string({ error: 'Give one action' })
  .max(101, 'An action has at most 100 characters')
  .regex(/^[a-z_.]+\*?$/, 'Actions use lowercase letters, _ and . only, with an optional * at the end (e.g. user.*)')
  .transform((value): AuditActionFilter => {
    const prefix = value.endsWith('*');
    return { value: prefix ? value.slice(0, -1) : value, prefix };
  })
  .refine((action) => action.value.length <= 100, 'An action has at most 100 characters');

/** A UTC day (`2025-03-01`, what a date input sends) or an ISO date-time with its offset. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dateSchema = z
  .string({ error: 'Give one date' })
  .max(40, 'Use a date like 2025-03-01')
  .refine(
    (value) => z.iso.date().safeParse(value).success || z.iso.datetime({ offset: true }).safeParse(value).success,
    'Use a date like 2025-03-01 (or an ISO date-time with its time zone)',
  );

/** First instant of the day, or the instant itself. */
const startOf = (value: string) => new Date(DAY.test(value) ? `${value}T00:00:00.000Z` : value);
/** First instant after the day (a `to` day is included whole), or just after the instant's millisecond. */
const endOf = (value: string) =>
  DAY.test(value) ? new Date(Date.parse(`${value}T00:00:00.000Z`) + 86_400_000) : new Date(Date.parse(value) + 1);

// An empty field of the GET form arrives as "": the same as leaving the filter out.
const blankAsUndefined = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};
// Search params are strings: "100" is a page size, "1e2", "0x10" or "12abc" are not.
const digitsAsNumber = (value: unknown) => {
  const blank = blankAsUndefined(value);
  return typeof blank === 'string' && /^\d{1,6}$/.test(blank) ? Number(blank) : blank;
};

export const auditFiltersSchema = z
  .object({
    user: z.preprocess(
      blankAsUndefined,
      z
        .string({ error: 'Give one username' })
        .max(50, 'A username has at most 50 characters')
        .regex(/^[a-z0-9_-]+$/, 'Usernames use lowercase letters, digits, - and _ only')
        .optional(),
    ),
    action: z.preprocess(blankAsUndefined, actionSchema.optional()),
    resourceType: z.preprocess(
      blankAsUndefined,
      z
        .enum(AUDIT_RESOURCE_TYPES, { error: `The resource type is one of ${AUDIT_RESOURCE_TYPES.join(', ')}` })
        .optional(),
    ),
    resourceId: z.preprocess((value) => {
      const id = blankAsUndefined(value);
      return typeof id === 'string' ? id.toLowerCase() : id;
    }, idSchema('resource', 'A resource id is a uuid, like 550e8400-e29b-41d4-a716-446655440000').optional()),
    from: z.preprocess(blankAsUndefined, dateSchema.optional()),
    to: z.preprocess(blankAsUndefined, dateSchema.optional()),
    cursor: z.preprocess(blankAsUndefined, auditCursorSchema.optional()),
    limit: z.preprocess(
      digitsAsNumber,
      z
        .number({ error: 'The page size is a whole number' })
        .int('The page size is a whole number')
        .min(1, 'The page size must be at least 1')
        .max(AUDIT_MAX_PAGE_SIZE, `The page size can be at most ${AUDIT_MAX_PAGE_SIZE}`)
        .default(AUDIT_PAGE_SIZE),
    ),
  })
  .superRefine((filters, ctx) => {
    if (filters.from && filters.to && startOf(filters.from) >= endOf(filters.to)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'The end date must be on or after the start date' });
    }
  })
  .transform(({ from, to, ...rest }) => ({
    ...rest,
    /** Inclusive lower bound of created_at, if any. */
    from: from === undefined ? undefined : startOf(from),
    /** Exclusive upper bound of created_at: the end of the `to` day, or now (so future partitions are pruned). */
    until: to === undefined ? new Date(Date.now() + 1) : endOf(to),
  }));

/** What callers pass: strings as typed in the form (blank means no filter) and the cursor as encoded in the link. */
export type AuditFilterInput = {
  user?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number | string;
};
/** What the query uses (trimmed, defaults applied, cursor decoded, dates as bounds). */
export type AuditFilters = z.output<typeof auditFiltersSchema>;
