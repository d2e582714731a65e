// One line per problem, and not the same line a thousand times. The panel's log is read by a person: a client that
// hangs up, or a browser sending a stale cookie on every request, must not bury the line that matters under stack
// traces. Plain JavaScript so scripts/server.mjs can load it without TypeScript; lib/server/quiet-log.ts re-exports
// it with types, so there is one implementation.

const DEFAULT_WINDOW_MS = 60_000;

/**
 * A logger that prints the first line of each kind (`key`) at once, then stays quiet about that kind for
 * `windowMs`; the next line of the kind after the window also says how many were held back.
 * @param {{ windowMs?: number; write?: (line: string) => void; now?: () => number }} [options]
 */
export function createQuietLog(options = {}) {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const write = options.write ?? ((line) => console.error(line));
  const now = options.now ?? Date.now;
  /** @type {Map<string, { since: number; held: number }>} */
  const kinds = new Map();

  /**
   * @param {string} key what kind of problem this is (the same key is rate-limited together)
   * @param {string} line one line, no stack trace
   */
  return function log(key, line) {
    const at = now();
    const kind = kinds.get(key);
    if (kind && at - kind.since < windowMs) {
      kind.held += 1;
      return;
    }
    const held = kind?.held ?? 0;
    kinds.set(key, { since: at, held: 0 });
    // Bounded memory: kinds are few (a handful of keys in code), but never let a caller's key grow the map for ever.
    if (kinds.size > 1_000) kinds.delete(kinds.keys().next().value);
    const seconds = Math.round(windowMs / 1000);
    write(held > 0 ? `${oneLine(line)} (and ${held} more like it in the last ${seconds} s)` : oneLine(line));
  };
}

/** @param {string} text */
function oneLine(text) {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').slice(0, 500);
}

/** The process's shared logger, one per process however many copies of this module are loaded. */
const SHARED = Symbol.for('slipway.quietLog');
export function quietLog(/** @type {string} */ key, /** @type {string} */ line) {
  const store = /** @type {Record<symbol, ReturnType<typeof createQuietLog>>} */ (/** @type {unknown} */ (globalThis));
  store[SHARED] ??= createQuietLog();
  store[SHARED](key, line);
}
