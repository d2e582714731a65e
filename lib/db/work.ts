// Running a mutation as a user: inside asUser() (row-level security binds), with refusals audited even though the
// transaction that found them rolls back, and the database's refusals a person can act on turned into messages.
// Domain functions (lib/projects, lib/applications, lib/env-vars, lib/volumes) throw DomainError; actions turn it
// into an ActionState with actionFailure().
import { failure, type ActionState } from '@/lib/actions/state';
import { recordAudit, type AuditEntry } from '@/lib/audit/write';
import type { Actor } from '@/lib/auth/permissions';
import { asSystem, asUser, type Tx } from '@/lib/db/context';
import { AppError, type AppErrorCode } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';

export type RequestMeta = { ip?: string | null; userAgent?: string | null };
/** Who acts (as requireUser() returned them) and from where, for the audit log. */
export type WorkContext = { actor: Actor; meta?: RequestMeta };

/** An expected refusal. `field` names the form field it concerns; `audit` is recorded though the work rolls back. */
export class DomainError extends AppError {
  constructor(
    code: AppErrorCode,
    message: string,
    readonly options: { field?: string; audit?: AuditEntry } = {},
  ) {
    super(code, message);
  }
}

/** A database error as the pg driver reported it (Prisma's driver adapter keeps the code and message). */
export type DriverCause = { originalCode?: string; originalMessage?: string };

// Prisma wraps a driver error in `meta.driverAdapterError` (a statement) or throws it bare (a failed COMMIT).
export function driverCause(error: unknown): DriverCause | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, cause, meta } = error as { name?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: unknown } } };
  const found = name === 'DriverAdapterError' ? cause : meta?.driverAdapterError?.cause;
  return typeof found === 'object' && found !== null ? (found as DriverCause) : undefined;
}

/** True when `error` is a unique violation of the named index/constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const cause = driverCause(error);
  return cause?.originalCode === '23505' && (cause.originalMessage?.includes(`"${constraint}"`) ?? false);
}

/**
 * Runs `work` as the actor. `translate` may turn a database error into a DomainError (a taken name); a DomainError
 * carrying an audit entry has it recorded in a transaction of its own.
 */
export async function runAsUser<T>(
  db: PrismaClient,
  ctx: WorkContext,
  work: (tx: Tx) => Promise<T>,
  translate: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  try {
    return await asUser(db, ctx.actor.id, work);
  } catch (raw) {
    const error = raw instanceof DomainError ? raw : translate(raw);
    const audit = error instanceof DomainError ? error.options.audit : undefined;
    if (audit) {
      await asSystem(db, (tx) => recordAudit(tx, audit)).catch((auditError: unknown) => {
        console.error('[slipway] could not record a refusal in the audit log', auditError);
      });
    }
    throw error;
  }
}

/** An action's failure: a DomainError about one field is shown beside that field, anything else as the message. */
export function actionFailure(error: unknown, values?: Record<string, string>): ActionState {
  if (error instanceof DomainError && error.options.field) {
    return { ok: false, message: 'Check the highlighted fields.', fieldErrors: { [error.options.field]: [error.message] }, values };
  }
  return failure(error, values);
}

/** Record a refusal found outside any transaction (a page that will answer 404). Never throws. */
export async function recordRefusal(db: PrismaClient, entry: AuditEntry): Promise<void> {
  await asSystem(db, (tx) => recordAudit(tx, entry)).catch((error: unknown) => {
    console.error('[slipway] could not record a refusal in the audit log', error);
  });
}

export type { Tx };
