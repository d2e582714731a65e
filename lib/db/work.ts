// Running a unit of work for a person or for the system, the one way every action, page and route handler does it:
// inside asUser() (row-level security binds) or asSystem() (an explicit opt-out), with a refusal's audit entry
// recorded in a transaction of its own, because the transaction that found the refusal is rolled back. `translate`
// turns the database's refusals a person can act on (a taken name, the last owner) into AppErrors.
import { recordAudit, type AuditEntry } from '@/lib/audit/write';
import type { Actor } from '@/lib/auth/permissions';
import { asSystem, asUser, type Tx } from '@/lib/db/context';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { RequestMeta } from '@/lib/http/request-meta';

/** Who acts (as requireUser() returned them) and from where, for the audit log. */
export type WorkContext = { actor: Actor; meta?: RequestMeta };

/** Turns a database error into an AppError the person can act on; returns anything else unchanged. */
export type Translate = (error: unknown) => unknown;

const unchanged: Translate = (error) => error;

/** Runs `work` as the actor (row-level security binds); see the file comment. */
export async function runAsUser<T>(
  db: PrismaClient,
  ctx: WorkContext,
  work: (tx: Tx) => Promise<T>,
  translate: Translate = unchanged,
): Promise<T> {
  return refusalsAudited(db, () => asUser(db, ctx.actor.id, work), translate);
}

/** Runs `work` as the system: for tables without row-level security whose functions check can() themselves. */
export async function runAsSystem<T>(
  db: PrismaClient,
  work: (tx: Tx) => Promise<T>,
  translate: Translate = unchanged,
): Promise<T> {
  return refusalsAudited(db, () => asSystem(db, work), translate);
}

async function refusalsAudited<T>(db: PrismaClient, run: () => Promise<T>, translate: Translate): Promise<T> {
  try {
    return await run();
  } catch (raw) {
    const error = raw instanceof AppError ? raw : translate(raw);
    const audit = error instanceof AppError ? error.options.audit : undefined;
    if (audit) await recordRefusal(db, audit);
    throw error;
  }
}

/** Records a refusal outside the work that found it (a page that will answer 404, a rolled-back action). Never throws. */
export async function recordRefusal(db: PrismaClient, entry: AuditEntry): Promise<void> {
  await asSystem(db, (tx) => recordAudit(tx, entry)).catch((error: unknown) => {
    console.error('[slipway] could not record a refusal in the audit log', error);
  });
}
