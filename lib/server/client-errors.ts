// Typed face of lib/server/client-errors.mjs (plain JavaScript because scripts/server.mjs loads it). Import it from
// here in TypeScript.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

// @ts-expect-error -- plain JavaScript module (tsconfig has allowJs off); its exports are typed below.
import * as core from './client-errors.mjs';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** ECONNRESET, EPIPE, ECONNABORTED or "aborted": the peer hung up. */
export const isClientGone: (error: unknown) => boolean = core.isClientGone;

/** A client-gone error raised by one of a watched server's client sockets (or wrapping one as its cause). */
export const isGoneClientError: (value: unknown) => boolean = core.isGoneClientError;

export const watchClientErrors: (server: Server, options?: { log?: (key: string, line: string) => void }) => void =
  core.watchClientErrors;

export const quietGoneClients: (
  target?: Pick<Console, 'error' | 'warn'>,
  options?: { log?: (key: string, line: string) => void },
) => void = core.quietGoneClients;

export const ignoreGoneClients: (handle: Handler) => Handler = core.ignoreGoneClients;
