// The database's own refusals, read from what Prisma hands back. Domain modules use these to turn a constraint a
// person can act on (a taken name, the last owner) into an AppError with a message; anything else stays an error.

/** A database error as the pg driver reported it (Prisma's driver adapter keeps the code and message). */
export type DriverCause = { originalCode?: string; originalMessage?: string };

// Prisma wraps a driver error in `meta.driverAdapterError` (a statement) or throws it bare (a failed COMMIT).
export function driverCause(error: unknown): DriverCause | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, cause, meta } = error as {
    name?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: { cause?: unknown } };
  };
  const found = name === 'DriverAdapterError' ? cause : meta?.driverAdapterError?.cause;
  return typeof found === 'object' && found !== null ? (found as DriverCause) : undefined;
}

/** True when `error` is a unique violation of the named index/constraint (of any, when none is named). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const cause = driverCause(error);
  if (cause?.originalCode !== '23505') return false;
  return constraint === undefined || (cause.originalMessage?.includes(`"${constraint}"`) ?? false);
}
