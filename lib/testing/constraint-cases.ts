// The table-driven harness of the constraint tests: each case is one row (a valid row with some columns
// overridden) that the database must accept, or refuse with a given SQLSTATE and constraint.
import { expect, it } from 'vitest';

import { insertRow, sqlError, type Queryable, type Row } from './fixtures';

/** What the database should do with a row: accept it (null) or refuse it with this SQLSTATE and constraint. */
export type Outcome = null | { code: string; constraint?: string };
export const OK: Outcome = null;
export const check = (constraint: string): Outcome => ({ code: '23514', constraint });
export const unique = (constraint: string): Outcome => ({ code: '23505', constraint });
export const foreignKey = (constraint: string): Outcome => ({ code: '23503', constraint });
export const notNull: Outcome = { code: '23502' };

/** Inserts the row and checks the database accepted or refused it as expected. */
export async function expectInsert(db: Queryable, table: string, row: Row, outcome: Outcome): Promise<void> {
  if (outcome === null) {
    const stored = await insertRow(db, table, row);
    expect(stored.id).toBeDefined();
    return;
  }
  const error = await sqlError(insertRow(db, table, row));
  expect({ code: error.code, constraint: error.constraint }).toEqual({
    code: outcome.code,
    constraint: outcome.constraint ?? error.constraint,
  });
}

export type Case = [label: string, overrides: Row, outcome: Outcome];

/** One case per value of one column, all with the same outcome, each labelled "<column> <value>". */
export function valuesOf(column: string, values: unknown[], outcome: Outcome): Case[] {
  return values.map((value): Case => [`${column} ${String(value)}`, { [column]: value }, outcome]);
}

/**
 * One test per case: inserts `row(overrides)` into `table` and checks the outcome. `db` is read when the test
 * runs, after the file's beforeAll.
 */
export function itInserts(
  db: () => Queryable,
  table: string,
  row: (overrides: Row) => Row | Promise<Row>,
  cases: Case[],
  title = '%s',
): void {
  it.each(cases)(title, async (_label, overrides, outcome) => {
    await expectInsert(db(), table, await row(overrides), outcome);
  });
}
