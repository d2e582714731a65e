// The one error type of the engine. The pipeline maps `code` to a deployment's failure reason and the panel to a
// message; `message` is written for the person reading the deployment log, so it says what to do next.
export type EngineErrorCode =
  'docker_unavailable' | 'not_swarm_manager' | 'invalid' | 'build_failed' | 'cancelled' | 'not_ours' | 'not_found';

export class EngineError extends Error {
  override readonly name = 'EngineError';

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** The last output lines that explain the failure (a build's tail), when there are any. */
    readonly lines: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A Docker API error's status code (dockerode puts it on the error), or undefined for anything else. */
export function dockerStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The engine's own message from a Docker API error ("no such image: …"), else the error's message. */
export function dockerMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return error instanceof Error ? error.message : String(error);
}
