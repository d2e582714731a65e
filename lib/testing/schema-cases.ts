// The table-driven harness of the validation tests: a schema must accept each good value (parsing it to the given
// output, when one is given) and refuse each bad one with a message a person can act on.
import { expect, it } from 'vitest';
import type { z } from 'zod';

/** Input far beyond any field's limit: a schema must refuse it without choking. */
export const BIG = 'a'.repeat(64 * 1024);
/** Looks like a Latin "a"; names must not let a look-alike through. */
export const CYRILLIC_A = '\u0430';
/** Zero-width space: invisible, so a name holding it is not the name it looks like. */
export const ZWSP = '\u200b';

const label = (value: unknown) => (JSON.stringify(value) ?? String(value)).slice(0, 60);

/** One test per value: `good` as [value, parsed output?], `bad` as values refused with a real message. */
export function itParses(schema: z.ZodType, good: [unknown, unknown?][], bad: unknown[]): void {
  it.each(good.map(([value, out]) => [label(value), value, out]))('accepts %s', (_label, value, out) => {
    const parsed = schema.safeParse(value);
    expect(parsed.success).toBe(true);
    if (out !== undefined) expect(parsed.data).toEqual(out);
  });
  it.each(bad.map((value) => [label(value), value]))('refuses %s', (_label, value) => {
    const parsed = schema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message.length).toBeGreaterThan(10);
  });
}
