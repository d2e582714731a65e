// Reading a server-sent event stream (the log routes' responses) the way a browser's EventSource splits it.

export type Event = { id?: string; event?: string; data?: string; retry?: string; comment?: string };

/** Reads server-sent events from a body until `stop` says so or the body ends; cancels the body when stopping. */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  stop: (events: Event[]) => boolean = () => false,
): Promise<Event[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: Event[] = [];
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const event: Event = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) event.comment = line.slice(1).trim();
        const match = /^(id|event|data|retry): (.*)$/.exec(line);
        if (match) event[match[1] as 'id' | 'event' | 'data' | 'retry'] = match[2];
      }
      events.push(event);
      if (stop(events)) {
        await reader.cancel();
        return events;
      }
    }
  }
}
