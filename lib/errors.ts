// The one error type domain code throws. Route handlers map `code` to an HTTP status and server actions map it
// to ActionState; the message is shown to the user, so it says what went wrong without internal detail.
export type AppErrorCode = 'not_found' | 'forbidden' | 'conflict' | 'invalid' | 'unauthorized' | 'rate_limited';

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
  }
}
