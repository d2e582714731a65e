// Runtime logs of a service, as lines. Services run without a TTY, so Docker multiplexes stdout and stderr into
// frames: an 8-byte header (stream type, three zero bytes, big-endian payload length) and the payload. Frames do
// not respect chunk or line boundaries, so both are reassembled here.
import { StringDecoder } from 'node:string_decoder';

import type Docker from 'dockerode';

import { dockerMessage, dockerStatus, EngineError } from './errors';
import { labelFilters } from './names';

export type LogLine = { stream: 'stdout' | 'stderr'; line: string; time?: string };

export type LogOptions = {
  follow?: boolean;
  /** Lines from the end of each task's log ("all" when absent). */
  tail?: number;
  /** Only lines after this instant (a Date, or UNIX seconds). */
  since?: Date | number;
  timestamps?: boolean;
  signal?: AbortSignal;
};

const HEADER = 8;
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$/s;

/** Turns a multiplexed byte stream into lines, keeping a partial frame and a partial line per stream. */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly text = { stdout: '', stderr: '' };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(private readonly timestamps = false) {}

  push(chunk: Buffer): LogLine[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: LogLine[] = [];
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) break;
      // Type 2 is stderr; 0 (stdin) and 1 are shown as stdout.
      const stream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      const payload = this.pending.subarray(HEADER, HEADER + size);
      this.pending = this.pending.subarray(HEADER + size);
      this.text[stream] += this.decoders[stream].write(payload);
      const parts = this.text[stream].split('\n');
      this.text[stream] = parts.pop()!;
      for (const part of parts) lines.push(this.line(stream, part));
    }
    return lines;
  }

  /** What is left when the stream ends: an unterminated last line of each stream. */
  end(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.text[stream] + this.decoders[stream].end();
      this.text[stream] = '';
      if (rest !== '') lines.push(this.line(stream, rest));
    }
    return lines;
  }

  private line(stream: LogLine['stream'], raw: string): LogLine {
    const text = raw.replace(/\r$/, '');
    const match = this.timestamps ? TIMESTAMP.exec(text) : null;
    return match ? { stream, line: match[2]!, time: match[1]! } : { stream, line: text };
  }
}

async function findServiceId(docker: Docker, appId: string): Promise<string> {
  const [service] = await docker.listServices({ filters: { label: labelFilters(appId) } });
  if (!service?.ID) throw new EngineError('not_found', 'This application has no running service: deploy it first.');
  return service.ID;
}

/** The application's service logs (all replicas interleaved as Docker sends them); ends when signal aborts. */
export async function* serviceLogs(docker: Docker, appId: string, options: LogOptions = {}): AsyncGenerator<LogLine> {
  const { signal } = options;
  if (signal?.aborted) return;
  const serviceId = await findServiceId(docker, appId);
  const since = options.since instanceof Date ? Math.floor(options.since.getTime() / 1000) : options.since;
  let source: NodeJS.ReadableStream | Buffer;
  try {
    source = (await docker.getService(serviceId).logs({
      follow: options.follow ?? false,
      stdout: true,
      stderr: true,
      timestamps: options.timestamps ?? false,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(signal ? { abortSignal: signal } : {}),
    })) as unknown as NodeJS.ReadableStream | Buffer;
  } catch (error) {
    if (signal?.aborted) return;
    if (dockerStatus(error) === 404) throw new EngineError('not_found', 'The service is gone.');
    throw new EngineError('docker_unavailable', `Could not read the service logs: ${dockerMessage(error)}`);
  }
  const demuxer = new LogDemuxer(options.timestamps ?? false);
  if (Buffer.isBuffer(source)) {
    yield* demuxer.push(source);
    yield* demuxer.end();
    return;
  }
  try {
    for await (const chunk of source) {
      yield* demuxer.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
  } catch (error) {
    // An abort destroys the response mid-read: that is the normal end of a followed log.
    if (!signal?.aborted)
      throw new EngineError('docker_unavailable', `The log stream broke off: ${dockerMessage(error)}`);
  } finally {
    (source as unknown as { destroy?: () => void }).destroy?.();
  }
  if (!signal?.aborted) yield* demuxer.end();
}
