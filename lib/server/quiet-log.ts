// Typed face of lib/server/quiet-log.mjs (plain JavaScript because scripts/server.mjs loads it too). Import it from
// here in the app.
// @ts-expect-error -- plain JavaScript module (tsconfig has allowJs off); its exports are typed below.
import * as core from './quiet-log.mjs';

export type QuietLog = (key: string, line: string) => void;

export type QuietLogOptions = {
  /** How long one kind stays quiet after it printed (default 60 s). */
  windowMs?: number;
  write?: (line: string) => void;
  now?: () => number;
};

export const createQuietLog: (options?: QuietLogOptions) => QuietLog = core.createQuietLog;

/** The process's shared quiet logger (stderr). */
export const quietLog: QuietLog = core.quietLog;
