// The one wrapper around every server action, so each action is a declaration of what differs (its schema, its
// domain call, what to revalidate, what to say). The steps, always in this order: requireUser() → the form's values
// → schema.safeParse (every field's errors kept) → the domain function as the user (which checks can() itself on the
// row it locks, writes and audits; a refusal is audited by the runner) → the one failure mapping (actionFailure) →
// revalidatePath → the ActionState, or redirect() after all of it (redirect throws, so never inside the try).
// Secrets are never echoed: only the `echo` keys go back to the form.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { z } from 'zod';

import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import type { Tx } from '@/lib/db/context';
import { runAsSystem, runAsUser, type WorkContext } from '@/lib/db/work';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { getRequestMeta, type RequestMeta } from '@/lib/http/request-meta';
import { STALE } from '@/lib/validation/ids';

import { actionFailure, formValues, invalid, type ActionState } from './state';

type Values = Record<string, string>;
type Schema = z.ZodType<unknown, unknown>;
/** A path to revalidate, or a route pattern with the kind of segment ('layout' takes every page below it). */
export type Revalidation = string | [path: string, type: 'layout' | 'page'];

/** What the wrapper needs from Next.js and the database; tests pass their own. */
export type ActionDeps = {
  requireUser: () => Promise<SessionUser>;
  getDb: () => Promise<PrismaClient>;
  getRequestMeta: () => Promise<RequestMeta>;
  revalidatePath: (path: string, type?: 'layout' | 'page') => void;
  redirect: (path: string) => never;
};

type Work<I, R, P> =
  | {
      /** What the work needs that may take a while to get, got before the transaction opens (the deploy queue). */
      prepare?: () => Promise<P>;
      /** The domain function, in one transaction as the signed-in user. */
      run: (tx: Tx, ctx: WorkContext, input: I, prepared: P) => Promise<R>;
      /** 'system' for users and accounts: that table has no row-level security, the function checks can() itself. */
      as?: 'user' | 'system';
      /** The database's refusals a person can act on (a taken name) as AppErrors. */
      translate?: (error: unknown, input: I) => unknown;
    }
  | {
      /** Work that opens its own transactions (it waits on the network between them). */
      prepare?: () => Promise<P>;
      call: (db: PrismaClient, ctx: WorkContext, input: I, prepared: P) => Promise<R>;
    };

type Common<S extends Schema, R, P> = Work<z.output<S>, R, P> & {
  /** Paths whose pages show what changed, after a success. */
  revalidate?: readonly Revalidation[] | ((input: z.output<S>, result: R) => readonly Revalidation[]);
};

export type FormActionSpec<
  S extends Schema,
  R,
  State extends ActionState,
  K extends string = string,
  P = undefined,
> = Common<S, R, P> & {
  /** Parses the form's values; a function of the user when the rules depend on them (their password policy). */
  schema: S | ((user: SessionUser) => S);
  /** The form fields read. Anything else the form sends is ignored. */
  keys: readonly K[] | ((form: FormData) => readonly K[]);
  /** What goes back into the form (default: every key). Never a password, a token or a secret value. */
  echo?: readonly K[] | ((values: Record<K, string>) => Values);
  /** The values as the schema expects them (default: as read). */
  input?: (values: Record<K, string>) => unknown;
  /** Every field is hidden (ids, a kind): a refused one means the page is out of date, answered with STALE. */
  stale?: boolean;
  /** Field errors of a nested schema keyed by their dotted path below this key ("ports.1.published"). */
  nested?: string;
  /** Where to go after a success: the action then returns nothing. */
  redirect?: (result: R, input: z.output<S>) => string;
  /**
   * What the form shows after the work: a message, or more of the state (the echoed values are the third argument).
   * Work that saved nothing may still say `ok: false` (a paste with bad lines).
   */
  success?: string | ((result: R, input: z.output<S>, values: Values) => string | Said<State> | Promise<Said<State>>);
};

type Said<State extends ActionState> = Omit<State, 'ok'> & { ok?: boolean };

/** A failure of an action called with arguments (a button, not a form): only a message. */
export type Refused = { ok: false; message: string };

export type CallActionSpec<A extends unknown[], S extends Schema, R, Result, P = undefined> = Common<S, R, P> & {
  /** The arguments as the schema's input. */
  args: (...args: A) => unknown;
  schema: S;
  /** The result for the browser. Never more than the person asked for. */
  success: (result: R, input: z.output<S>) => Result;
};

export function actionsWith(deps: ActionDeps) {
  async function perform<S extends Schema, R, P>(
    spec: Common<S, R, P>,
    user: SessionUser,
    input: z.output<S>,
  ): Promise<R> {
    const ctx: WorkContext = { actor: user, meta: await deps.getRequestMeta() };
    const db = await deps.getDb();
    const prepared = (await spec.prepare?.()) as P;
    if ('call' in spec) return spec.call(db, ctx, input, prepared);
    const translate = spec.translate && ((error: unknown) => spec.translate!(error, input));
    const work = (tx: Tx) => spec.run(tx, ctx, input, prepared);
    return spec.as === 'system' ? runAsSystem(db, work, translate) : runAsUser(db, ctx, work, translate);
  }

  function revalidateAfter<S extends Schema, R, P>(spec: Common<S, R, P>, input: z.output<S>, result: R) {
    const paths = typeof spec.revalidate === 'function' ? spec.revalidate(input, result) : (spec.revalidate ?? []);
    for (const path of paths) {
      if (typeof path === 'string') deps.revalidatePath(path);
      else deps.revalidatePath(path[0], path[1]);
    }
  }

  /** A server action for a form posted through useActionState: `(previous state, form data) → ActionState`. */
  function formAction<
    S extends Schema,
    R,
    State extends ActionState = ActionState,
    const K extends string = string,
    P = undefined,
  >(spec: FormActionSpec<S, R, State, K, P>) {
    return async (_prev: State, form: FormData): Promise<State> => {
      const user = await deps.requireUser();
      const read = formValues(form, typeof spec.keys === 'function' ? spec.keys(form) : spec.keys) as Record<K, string>;
      const values = echoed(read, spec.echo);
      const schema = typeof spec.schema === 'function' ? spec.schema(user) : spec.schema;
      const parsed = schema.safeParse(spec.input ? spec.input(read) : read);
      if (!parsed.success) {
        return (
          spec.stale ? { ok: false, message: STALE, values } : invalid(parsed.error, values, spec.nested)
        ) as State;
      }
      let result: R;
      try {
        result = await perform(spec, user, parsed.data);
      } catch (error) {
        return actionFailure(error, values) as State;
      }
      revalidateAfter(spec, parsed.data, result);
      if (spec.redirect) deps.redirect(spec.redirect(result, parsed.data));
      const said = typeof spec.success === 'function' ? await spec.success(result, parsed.data, values) : spec.success;
      return { ok: true, ...(typeof said === 'string' ? { message: said } : said) } as State;
    };
  }

  /** A server action called with arguments from a button: `(...args) → Result | { ok: false, message }`. */
  function callAction<A extends unknown[], S extends Schema, R, Result, P = undefined>(
    spec: CallActionSpec<A, S, R, Result, P>,
  ) {
    return async (...args: A): Promise<Result | Refused> => {
      const user = await deps.requireUser();
      const parsed = spec.schema.safeParse(spec.args(...args));
      // The arguments come from the page, not from typing: a bad one means the page is out of date.
      if (!parsed.success) return { ok: false, message: STALE };
      let result: R;
      try {
        result = await perform(spec, user, parsed.data);
      } catch (error) {
        const failed = actionFailure(error);
        const beside = Object.values(failed.fieldErrors ?? {})[0]?.[0];
        return { ok: false, message: beside ?? failed.message ?? STALE };
      }
      revalidateAfter(spec, parsed.data, result);
      return spec.success(result, parsed.data);
    };
  }

  return { formAction, callAction };
}

function echoed<K extends string>(
  values: Record<K, string>,
  echo: readonly K[] | ((values: Record<K, string>) => Values) | undefined,
): Values {
  if (typeof echo === 'function') return echo(values);
  if (!echo) return values;
  return Object.fromEntries(echo.map((key) => [key, values[key] ?? '']));
}

export const { formAction, callAction } = actionsWith({ requireUser, getDb, getRequestMeta, revalidatePath, redirect });
