// Process-wide objects (the database, the Docker client, the deployment runtime, the key ring) live on globalThis,
// one slot per key: Next.js can load a module more than once in one process (instrumentation, route bundles, dev
// reloads), and each copy must find the same pool or queue rather than open its own.
const store = globalThis as unknown as { __slipwayRemembered?: Map<string, unknown> };
const slots = (store.__slipwayRemembered ??= new Map<string, unknown>());

/**
 * The value remembered under `key`, made by `make()` on first use. A promise that rejects is forgotten, so the next
 * caller tries again (the database was away) instead of getting the old failure forever.
 */
export function remember<T>(key: string, make: () => T): T {
  if (slots.has(key)) return slots.get(key) as T;
  const value = make();
  slots.set(key, value);
  if (value instanceof Promise) {
    value.catch(() => forget(key, value));
  }
  return value;
}

/** What is remembered under `key`, without making it. */
export function recall<T>(key: string): T | undefined {
  return slots.get(key) as T | undefined;
}

/** Remembers `value` under `key`, replacing what was there. */
export function keep<T>(key: string, value: T): T {
  slots.set(key, value);
  return value;
}

/** Forgets `key`; with `only`, just when that is still the remembered value (a newer one stays). */
export function forget(key: string, only?: unknown): void {
  if (only === undefined || slots.get(key) === only) slots.delete(key);
}
