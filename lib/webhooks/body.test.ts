import { describe, expect, it } from 'vitest';

import { readLimitedBody, WEBHOOK_BODY_LIMIT } from './body';

const CHUNK = 64 * 1024;

/** A body stream that would produce `total` bytes in 64 KiB chunks, counting how many chunks were pulled from it. */
function countingStream(total: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const sent = state.pulled * CHUNK;
      if (sent >= total) return controller.close();
      state.pulled += 1;
      controller.enqueue(new Uint8Array(Math.min(CHUNK, total - sent)).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api/webhooks/github', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

describe('readLimitedBody', () => {
  it('returns the exact bytes of a body under the limit', async () => {
    const body = Buffer.from('{"ref":"refs/heads/main"}\n');
    expect(await readLimitedBody(post(body))).toEqual({ ok: true, body });
  });

  it('returns an empty buffer when there is no body', async () => {
    expect(await readLimitedBody(post(null))).toEqual({ ok: true, body: Buffer.alloc(0) });
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    expect(await readLimitedBody(post(new Uint8Array(1024)), 1024)).toMatchObject({ ok: true });
    expect(await readLimitedBody(post(new Uint8Array(1025)), 1024)).toEqual({
      ok: false,
      status: 413,
      reason: 'The webhook body is larger than 1 KiB, the most Slipway reads from one delivery.',
    });
  });

  it('joins a body that arrives in many chunks', async () => {
    const { stream, state } = countingStream(300 * 1024 + 7);
    const result = await readLimitedBody(post(stream));
    expect(result.ok && result.body.length).toBe(300 * 1024 + 7);
    expect(state.pulled).toBe(5);
  });

  it('stops a 50 MB stream soon after the limit and cancels it, without reading the rest', async () => {
    const { stream, state } = countingStream(50 * 1024 * 1024);
    const result = await readLimitedBody(post(stream));
    expect(result).toMatchObject({ ok: false, status: 413, reason: expect.stringContaining('5 MiB') });
    // 80 chunks make exactly 5 MiB; the 81st goes over. 800 would be the whole 50 MB.
    expect(state.pulled).toBeGreaterThanOrEqual(81);
    expect(state.pulled).toBeLessThanOrEqual(83);
    expect(state.cancelled).toBe(true);
  });

  it('refuses from Content-Length alone, before pulling a chunk', async () => {
    const { stream, state } = countingStream(50 * 1024 * 1024);
    const result = await readLimitedBody(post(stream, { 'content-length': String(50 * 1024 * 1024) }));
    expect(result).toMatchObject({ ok: false, status: 413 });
    expect(state.pulled).toBeLessThanOrEqual(1);
    expect(state.cancelled).toBe(true);
  });

  it('counts the bytes actually sent when Content-Length lies', async () => {
    const { stream, state } = countingStream(50 * 1024 * 1024);
    const result = await readLimitedBody(post(stream, { 'content-length': '120' }), 1024 * 1024);
    expect(result).toMatchObject({ ok: false, status: 413 });
    expect(state.pulled).toBeLessThanOrEqual(19);
    expect(state.cancelled).toBe(true);
  });

  it('ignores a Content-Length that is not a number', async () => {
    const { stream } = countingStream(100);
    expect(await readLimitedBody(post(stream, { 'content-length': 'lots' }))).toMatchObject({ ok: true });
  });

  it('defaults to 5 MiB', () => {
    expect(WEBHOOK_BODY_LIMIT).toBe(5 * 1024 * 1024);
  });

  it('rejects a limit that is not a byte count', async () => {
    await expect(readLimitedBody(post(null), -1)).rejects.toThrow(RangeError);
    await expect(readLimitedBody(post(null), Number.NaN)).rejects.toThrow(RangeError);
  });
});
