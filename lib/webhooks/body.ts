// A webhook's body, read with a ceiling before anything else happens to it: the endpoint is public, so an oversized
// body is refused from its Content-Length when it declares one, and otherwise the stream is read chunk by chunk and
// cancelled the moment the running total passes the limit. Content-Length is only a hint (a sender can lie), so the
// count of bytes actually read is what decides; nothing past the limit is ever buffered.
export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

export type LimitedBody = { ok: true; body: Buffer } | { ok: false; status: 413; reason: string };

function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * The request's body as bytes, or a 413 when it is over `limitBytes`. An error while reading or cancelling (the
 * sender hung up: cancelling an errored stream rejects with its error) is thrown as is: there is nobody left to answer.
 */
export async function readLimitedBody(request: Request, limitBytes: number = WEBHOOK_BODY_LIMIT): Promise<LimitedBody> {
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 0)
    throw new RangeError('limitBytes must be a non-negative integer.');
  const tooLarge: LimitedBody = {
    ok: false,
    status: 413,
    reason: `The webhook body is larger than ${describeBytes(limitBytes)}, the most Slipway reads from one delivery.`,
  };

  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limitBytes) {
    await request.body?.cancel();
    return tooLarge;
  }
  if (request.body === null) return { ok: true, body: Buffer.alloc(0) };

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limitBytes) {
        await reader.cancel('webhook body over the limit');
        return tooLarge;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { ok: true, body: Buffer.concat(chunks, total) };
}
