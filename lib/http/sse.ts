// Server-sent events, the one way the panel streams: the headers that keep proxies from buffering, a `retry:` first,
// a heartbeat comment while nothing happens, and a body that reads its source only when the client has taken what
// was sent (a ReadableStream with pull), so a slow viewer slows the reading instead of growing a queue. Events at
// hand are gathered into one chunk: a replay of thousands of lines is not thousands of socket writes.

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  // no-transform: a compressing proxy would otherwise hold events back to fill its buffer.
  'cache-control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told not to.
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
  'x-content-type-options': 'nosniff',
} as const;

/** How long an EventSource waits before reconnecting (it then sends Last-Event-ID and resumes without a gap). */
export const RETRY_MS = 3000;
export const HEARTBEAT_MS = 15_000;
/** Events gathered into one chunk at most. */
const CHUNK_BYTES = 64 * 1024;

export type SseEvent = { id?: string; event?: string; data: unknown };

// A line break inside id or event would end the field early and let a value forge another field.
const singleLine = (value: string) => value.replace(/[\r\n]/g, ' ');

/**
 * One event in the wire format. `data` is sent as JSON when it is not a string; a string with line breaks becomes
 * one `data:` line per line, which the browser joins back with "\n".
 */
export function encodeEvent({ id, event, data }: SseEvent): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  let out = '';
  if (id !== undefined) out += `id: ${singleLine(id)}\n`;
  if (event !== undefined) out += `event: ${singleLine(event)}\n`;
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

export type SseStreamOptions<T> = {
  /**
   * The events. Called once with a signal that aborts when the stream stops (the client left, or the source ended):
   * the source must end its iteration and let go of what it holds on that abort, even while it waits for its next
   * event.
   */
  open: (signal: AbortSignal) => AsyncIterator<T, unknown, undefined>;
  /** One event in the wire format (encodeEvent); a source that yields encoded text passes `String`. */
  format: (event: T) => string;
  /** The request's signal: the client going away stops everything. */
  signal?: AbortSignal;
  heartbeatMs?: number;
  /** Names the stream in the server log when its source throws. */
  label: string;
};

/** An SSE response whose body is `open`'s events; see the file comment. */
export function sseResponse<T>(options: SseStreamOptions<T>): Response {
  return new Response(sseStream(options), { headers: SSE_HEADERS });
}

export function sseStream<T>({
  open,
  format,
  signal,
  heartbeatMs = HEARTBEAT_MS,
  label,
}: SseStreamOptions<T>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const events = open(abort.signal);
  let pending: Promise<IteratorResult<T, unknown>> | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  let output: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;

  // Everything stops together: the source (through its signal and return()), the heartbeat and the body.
  const stop = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    abort.abort();
    // The source has ended or was told to by the abort; return() only settles a generator that was never started.
    events
      .return?.(undefined)
      ?.catch((error: unknown) => console.error(`[slipway] ${label}: closing the source failed`, error));
    signal?.removeEventListener('abort', stop);
    try {
      output?.close();
    } catch {
      // Already closed or cancelled by the reader.
    }
  };
  signal?.addEventListener('abort', stop);
  // Resolves on the next macrotask: events already at hand (the rest of a page just read) come first.
  const soon = () => new Promise<'later'>((resolve) => setImmediate(resolve, 'later'));

  return new ReadableStream<Uint8Array>({
    start(controller) {
      output = controller;
      if (signal?.aborted) return stop();
      controller.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
      heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(': ping\n\n'));
      }, heartbeatMs);
    },
    async pull(controller) {
      if (closed) return;
      try {
        let result = await (pending ??= events.next());
        pending = null;
        let chunk = '';
        while (!result.done) {
          chunk += format(result.value);
          if (chunk.length >= CHUNK_BYTES) break;
          // An event not yet at hand stays pending for the next pull: it is never dropped.
          const ready = await Promise.race([(pending = events.next()), soon()]);
          if (ready === 'later') break;
          pending = null;
          result = ready;
        }
        if (closed) return;
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (result.done) stop();
      } catch (error) {
        if (closed) return;
        console.error(`[slipway] ${label} failed`, error);
        // The viewer reconnects with Last-Event-ID and resumes where it was.
        controller.error(error);
        stop();
      }
    },
    cancel() {
      stop();
    },
  });
}
