// Ids in one place. Every id the panel accepts (a route segment, a hidden field, a select) is a PostgreSQL uuid, and
// a bad one means a stale or edited page, not a typing mistake: the message says so and names the thing.
//
// z.guid(), not z.uuid(): z.uuid() accepts only RFC 9562 variants (version digit 1–8, variant 8–b), while a uuid
// column holds any 128 bits. gen_random_uuid() makes version 4 today, but imported or restored rows need not be, and
// an id the database holds must never be refused as "mistyped". z.guid() is exactly PostgreSQL's canonical text form
// (8-4-4-4-12 hex digits), so whatever passes it can be cast to uuid without an error, and every stored id passes.
import { regexes, z } from 'zod';

/** The answer to a request whose page is out of date (a hidden field, a kind or a ref that no longer fits). */
export const STALE = 'This page is out of date: reload it and try again.';

/** "This project link is out of date or mistyped: reload the page and try again." */
export const staleLink = (what: string): string =>
  `This ${what} link is out of date or mistyped: reload the page and try again.`;

/** The schema of one id, with a message naming what it identifies ('project', 'application', 'volume' …). */
export const idSchema = (what: string, message: string = staleLink(what)) => z.guid(message);

/** The same test outside a schema: a route segment or a column value that is about to reach a uuid cast. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && regexes.guid.test(value);
