// The SSE module on its own: the encoder keeps every value inside its field, and the body reads its source only
// as fast as the client takes chunks, then lets go of it when the client leaves.
import { describe, expect, it, vi } from 'vitest';

import { encodeEvent, sseStream } from './sse';

describe('encodeEvent', () => {
  const cases: { name: string; event: Parameters<typeof encodeEvent>[0]; wire: string }[] = [
    {
      name: 'JSON data with id and event',
      event: { id: '42', event: 'log', data: { message: 'hi' } },
      wire: 'id: 42\nevent: log\ndata: {"message":"hi"}\n\n',
    },
    {
      name: 'a string with line breaks: one data line each',
      event: { data: 'one\ntwo\r\nthree\rfour' },
      wire: 'data: one\ndata: two\ndata: three\ndata: four\n\n',
    },
    {
      name: 'JSON escapes a newline inside a value',
      event: { event: 'log', data: { message: 'a\nb' } },
      wire: 'event: log\ndata: {"message":"a\\nb"}\n\n',
    },
    {
      name: 'an id cannot start another field',
      event: { id: '1\ndata: forged', data: 'x' },
      wire: 'id: 1 data: forged\ndata: x\n\n',
    },
    {
      name: 'an event name cannot either',
      event: { event: 'log\r\nretry: 1', data: 'x' },
      wire: 'event: log  retry: 1\ndata: x\n\n',
    },
    { name: 'an empty string is one empty data line', event: { data: '' }, wire: 'data: \n\n' },
  ];
  for (const { name, event, wire } of cases) {
    it(name, () => expect(encodeEvent(event)).toBe(wire));
  }
});

describe('sseStream', () => {
  it('sends retry first, then the events; ends when the source does', async () => {
    const body = sseStream({
      label: 'test',
      format: String,
      open: async function* () {
        yield encodeEvent({ data: 'a' });
        yield encodeEvent({ data: 'b' });
      },
    });
    expect(await new Response(body).text()).toBe('retry: 3000\n\ndata: a\n\ndata: b\n\n');
  });

  it('reads the source only as the client takes chunks, and releases it when the client cancels', async () => {
    let produced = 0;
    let released = false;
    let aborted = false;
    const line = encodeEvent({ data: 'x'.repeat(1000) });
    const body = sseStream({
      label: 'test',
      format: String,
      open: async function* (signal) {
        signal.addEventListener('abort', () => (aborted = true));
        try {
          // An endless source with every event at hand: only back-pressure bounds how much is read.
          for (;;) {
            produced += 1;
            yield line;
          }
        } finally {
          released = true;
        }
      },
    });
    const reader = body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('retry: 3000\n\n');
    const first = (await reader.read()).value!;
    // One chunk gathers events up to 64 KB.
    expect(first.byteLength).toBeGreaterThanOrEqual(64 * 1024);
    await reader.cancel();
    expect(aborted).toBe(true);
    // return() reaches the generator after the event it was producing when the client left.
    await vi.waitFor(() => expect(released).toBe(true));
    // What was read: the chunk taken and at most the one the stream keeps ready (its high-water mark), not more.
    expect(produced * line.length).toBeLessThanOrEqual(3 * 66 * 1024);
  });

  it('stops before reading anything when the request is already aborted', async () => {
    let opened = false;
    const controller = new AbortController();
    controller.abort();
    const body = sseStream({
      label: 'test',
      format: String,
      signal: controller.signal,
      open: async function* () {
        opened = true;
        yield encodeEvent({ data: 'never' });
      },
    });
    expect(await new Response(body).text()).toBe('');
    expect(opened).toBe(false);
  });
});
