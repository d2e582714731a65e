// The one error type domain code throws, and the one map from its code to an HTTP status. Route handlers answer
// `httpStatusFor(code)`; server actions turn it into an ActionState. The message is shown to the user, so it says
// what went wrong and what to do, without internal detail.
import type { AuditEntry } from '@/lib/audit/write';

export const APP_ERROR_STATUS = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
} as const satisfies Record<string, number>;

export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

export type AppErrorOptions = {
  /** The form field the error concerns: shown beside it. */
  field?: string;
  /** A refusal to record in the audit log even though the transaction that found it rolls back. */
  audit?: AuditEntry;
};

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message);
  }

  get field(): string | undefined {
    return this.options.field;
  }
}

/** The HTTP status a route handler answers for an AppError code. */
export function httpStatusFor(code: AppErrorCode): number {
  return APP_ERROR_STATUS[code];
}
