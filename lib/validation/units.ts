// Units a service spec is written in, as people type them: durations ("1m30s"), memory sizes ("512M") and CPU
// amounts ("0.5"). Each parses to a number, and each schema normalizes what it accepts so a stored value parses
// again to itself ("90s" -> "1m30s", "1.5G" -> "1536M" plus its bytes).
import { z } from 'zod';

// Spaces around a value are forgiven; a line break or tab anywhere is not (it is no typing slip).
export const trimSpaces = (value: string) => value.replace(/^ +| +$/g, '');

// ---------------------------------------------------------------------------------------------------------------
// Durations: Go's notation as Docker reads it, limited to h, m, s and ms in that order ("1m30s", "500ms").

const DURATION = /^(?:(\d{1,4})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?(?:(\d{1,6})ms)?$/;
export const SECOND = 1000;
const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** Milliseconds of a duration like "1m30s", or null when it is not one. */
export function parseDuration(value: string): number | null {
  const match = value === '' ? null : DURATION.exec(value);
  if (!match) return null;
  const [h, m, s, ms] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return h * HOUR + m * MINUTE + s * SECOND + ms;
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: [number, string][] = [
    [Math.floor(ms / HOUR), 'h'],
    [Math.floor((ms % HOUR) / MINUTE), 'm'],
    [Math.floor((ms % MINUTE) / SECOND), 's'],
    [ms % SECOND, 'ms'],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join('');
}

const DURATION_HINT = 'Use a duration like 30s, 1m30s or 500ms.';

/** A duration between min and max milliseconds, normalized ("90s" -> "1m30s"). */
export function durationSchema(what: string, min: number, max: number) {
  const bounds = `The ${what} is between ${formatDuration(min)} and ${formatDuration(max)}.`;
  return z.string(DURATION_HINT).transform((value, ctx) => {
    const ms = parseDuration(trimSpaces(value));
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: `The ${what} “${value.slice(0, 20)}” is not a duration. ${DURATION_HINT}`,
      });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: bounds });
      return z.NEVER;
    }
    return formatDuration(ms);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Memory units are binary whatever their spelling (Docker reads 1G as 1024³ bytes; 1Gi and 1GB alike).

const MEMORY = /^(\d{1,13}(?:\.\d{1,3})?) ?([kmgt]i?b?|b)?$/i;
const UNITS = ['b', 'k', 'm', 'g', 't'] as const;
const MEMORY_MIN = 6 * 1024 ** 2; // Docker refuses a memory limit under 6 MiB
const MEMORY_MAX = 4 * 1024 ** 4;
export const MEMORY_RULE = 'Use a size like 512M, 1G or 256Mi (from 6M to 4T).';

/** Bytes of a memory size like "512M", or null when it is not one. */
export function parseMemory(value: string): number | null {
  const match = MEMORY.exec(trimSpaces(value));
  if (!match) return null;
  const unit = (match[2] ?? 'b')[0]!.toLowerCase() as (typeof UNITS)[number];
  return Math.round(Number(match[1]) * 1024 ** UNITS.indexOf(unit));
}

/** The largest unit that divides the size exactly: 1610612736 → "1536M". */
export function formatMemory(bytes: number): string {
  for (let power = 4; power > 0; power -= 1) {
    if (bytes % 1024 ** power === 0) return `${bytes / 1024 ** power}${UNITS[power]!.toUpperCase()}`;
  }
  return `${bytes}B`;
}

export const memorySchema = z.string(MEMORY_RULE).transform((value, ctx) => {
  const bytes = parseMemory(value);
  if (bytes === null || bytes < MEMORY_MIN || bytes > MEMORY_MAX) {
    ctx.addIssue({ code: 'custom', message: `“${value.slice(0, 20)}” is not a memory size we accept. ${MEMORY_RULE}` });
    return z.NEVER;
  }
  return { memory: formatMemory(bytes), memory_bytes: bytes };
});

const CPUS = /^\d{1,3}(?:\.\d{1,3})?$/;
export const CPUS_RULE = 'Use a number of CPUs like 0.5 or 2 (from 0.01 to 512, up to 3 decimals).';
export const cpusSchema = z.string(CPUS_RULE).transform((value, ctx) => {
  const cpus = CPUS.test(trimSpaces(value)) ? Number(trimSpaces(value)) : NaN;
  if (!(cpus >= 0.01 && cpus <= 512)) {
    ctx.addIssue({ code: 'custom', message: `“${value.slice(0, 20)}” is not a CPU amount we accept. ${CPUS_RULE}` });
    return z.NEVER;
  }
  return String(cpus);
});
