// PostgreSQL LISTEN for the whole process: every live log viewer shares ONE connection per pool, taken when the
// first subscriber arrives and given back (destroyed: a LISTEN must not follow a pooled connection to its next user)
// when the last one leaves. A lost connection is replaced after `retryMs`, and subscribers are told through
// onReconnect, since whatever was notified in between is gone and they must catch up from the database.
import type pg from 'pg';

export type Subscriber = {
  onNotify: (payload: string) => void;
  /** Called after the connection was lost and LISTEN is active again: notifications may have been missed. */
  onReconnect?: () => void;
};

export type Unsubscribe = () => void;

type Hub = {
  pool: pg.Pool;
  channels: Map<string, Set<Subscriber>>;
  client: pg.PoolClient | null;
  listening: Set<string>;
  /** Connection changes run one after the other, each bringing the connection to what `channels` asks for. */
  chain: Promise<void>;
  lost: boolean;
  retry: NodeJS.Timeout | null;
};

const hubs = new WeakMap<pg.Pool, Hub>();
let retryMs = 1000;
let log: (line: string) => void = (line) => console.error(`[slipway] ${line}`);

/** For tests and the worker: how soon a lost listener reconnects, and where its troubles are reported. */
export function configureNotify(options: { retryMs?: number; log?: (line: string) => void }): void {
  retryMs = options.retryMs ?? retryMs;
  log = options.log ?? log;
}

function hubFor(pool: pg.Pool): Hub {
  let hub = hubs.get(pool);
  if (!hub) {
    hub = {
      pool,
      channels: new Map(),
      client: null,
      listening: new Set(),
      chain: Promise.resolve(),
      lost: false,
      retry: null,
    };
    hubs.set(pool, hub);
  }
  return hub;
}

function deliver(hub: Hub, message: pg.Notification): void {
  for (const subscriber of hub.channels.get(message.channel) ?? []) {
    try {
      subscriber.onNotify(message.payload ?? '');
    } catch (error) {
      log(`a notification handler on ${message.channel} failed: ${(error as Error).message}`);
    }
  }
}

function dropClient(hub: Hub, client: pg.PoolClient): void {
  if (hub.client !== client) return;
  hub.client = null;
  hub.listening.clear();
  client.release(true);
}

function onLost(hub: Hub, client: pg.PoolClient, error: Error): void {
  if (hub.client !== client) return;
  log(`deployment listener lost its connection: ${error.message}`);
  dropClient(hub, client);
  hub.lost = true;
  scheduleRetry(hub);
}

function scheduleRetry(hub: Hub): void {
  if (hub.retry || hub.channels.size === 0) return;
  hub.retry = setTimeout(() => {
    hub.retry = null;
    void enqueue(hub).catch((error: unknown) => {
      log(`deployment listener could not reconnect: ${(error as Error).message}`);
      scheduleRetry(hub);
    });
  }, retryMs);
  hub.retry.unref();
}

async function reconcile(hub: Hub): Promise<void> {
  if (hub.channels.size === 0) {
    if (hub.client) dropClient(hub, hub.client);
    return;
  }
  if (!hub.client) {
    const client = await hub.pool.connect();
    client.on('notification', (message) => deliver(hub, message));
    client.on('error', (error) => onLost(hub, client, error));
    hub.client = client;
  }
  const client = hub.client;
  try {
    for (const channel of hub.channels.keys()) {
      if (hub.listening.has(channel)) continue;
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      hub.listening.add(channel);
    }
    for (const channel of [...hub.listening]) {
      if (hub.channels.has(channel)) continue;
      await client.query(`UNLISTEN ${client.escapeIdentifier(channel)}`);
      hub.listening.delete(channel);
    }
  } catch (error) {
    onLost(hub, client, error as Error);
    throw error;
  }
  if (hub.lost) {
    hub.lost = false;
    for (const subscribers of hub.channels.values()) {
      for (const subscriber of subscribers) subscriber.onReconnect?.();
    }
  }
}

function enqueue(hub: Hub): Promise<void> {
  const next = hub.chain.then(() => reconcile(hub));
  // Not a swallow: the caller gets the error through `next`; the chain itself only orders the runs and must go on.
  hub.chain = next.catch(() => {});
  return next;
}

/**
 * Calls `subscriber.onNotify(payload)` for every NOTIFY on `channel` until the returned function is called.
 * Resolves once LISTEN is in effect, so whatever is committed afterwards is announced to this subscriber; rejects
 * when no connection can be had (the subscription is then already withdrawn).
 */
export async function subscribe(pool: pg.Pool, channel: string, subscriber: Subscriber): Promise<Unsubscribe> {
  const hub = hubFor(pool);
  const entry = { ...subscriber };
  let subscribers = hub.channels.get(channel);
  if (!subscribers) hub.channels.set(channel, (subscribers = new Set()));
  subscribers.add(entry);
  let done = false;
  const unsubscribe = () => {
    if (done) return;
    done = true;
    subscribers.delete(entry);
    if (subscribers.size === 0 && hub.channels.get(channel) === subscribers) hub.channels.delete(channel);
    if (hub.channels.size === 0 && hub.retry) {
      clearTimeout(hub.retry);
      hub.retry = null;
    }
    void enqueue(hub).catch((error: unknown) =>
      log(`deployment listener could not stop listening: ${(error as Error).message}`),
    );
  };
  try {
    await enqueue(hub);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  return unsubscribe;
}

/** What the process holds for this pool: channels listened to and subscribers (for tests and diagnostics). */
export function listenerState(pool: pg.Pool): { connected: boolean; channels: string[]; subscribers: number } {
  const hub = hubs.get(pool);
  if (!hub) return { connected: false, channels: [], subscribers: 0 };
  let subscribers = 0;
  for (const set of hub.channels.values()) subscribers += set.size;
  return { connected: hub.client !== null, channels: [...hub.listening], subscribers };
}

/** Resolves when every pending connection change has been made (tests wait on this before counting connections). */
export function settled(pool: pg.Pool): Promise<void> {
  return hubs.get(pool)?.chain ?? Promise.resolve();
}
