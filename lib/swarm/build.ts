// Image builds through the Engine API (classic builder). Output is parsed as it streams, so each line reaches the
// sink while the build runs, and the build's own cache report ("Using cache") tells whether anything was rebuilt.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

import type Docker from 'dockerode';

import { dockerfilePath, packContext, type BuildContext } from './context';
import { dockerMessage, EngineError } from './errors';

export type { BuildContext } from './context';
export type OutputStream = 'stdout' | 'stderr';
export type LineSink = (line: string, stream: OutputStream) => void;

export type BuildOptions = {
  context: BuildContext;
  /** Path of the Dockerfile inside the context (default "Dockerfile"). */
  dockerfile?: string;
  tag: string;
  labels: Record<string, string>;
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  onLine: LineSink;
  signal?: AbortSignal;
};

export type BuildResult = { imageId: string; tag: string; sizeMb: number; cacheHit: boolean };

type BuildMessage = {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
};

const TAIL = 20;
const STDERR_ON = '\u001b[91m';
const STDERR_OFF = '\u001b[0m';
const ANSI = /\u001b\[[0-9;]*m/g;
const STEP = /^Step \d+\/\d+ : (\S+)/;

/** Follows the classic builder's step lines: a build is a cache hit when every step after FROM used the cache. */
class CacheTracker {
  private steps = 0;
  private cached = 0;
  private currentCounts = false;

  see(line: string): void {
    const step = STEP.exec(line);
    if (step) {
      this.currentCounts = step[1]!.toUpperCase() !== 'FROM';
      if (this.currentCounts) this.steps += 1;
    } else if (this.currentCounts && line.trim() === '---> Using cache') {
      this.cached += 1;
      this.currentCounts = false;
    }
  }

  get hit(): boolean {
    return this.cached === this.steps;
  }
}

/** Splits the build's text (which arrives in arbitrary pieces) into whole lines. */
class LineSplitter {
  private pending = '';
  constructor(private readonly emit: (line: string) => void) {}

  push(text: string): void {
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop()!;
    for (const part of parts) this.emit(part.replace(/\r$/, ''));
  }

  flush(): void {
    if (this.pending !== '') this.emit(this.pending.replace(/\r$/, ''));
    this.pending = '';
  }
}

export async function buildImage(docker: Docker, options: BuildOptions): Promise<BuildResult> {
  const { signal, onLine } = options;
  const cancelled = () => new EngineError('cancelled', 'The build was cancelled.');
  if (signal?.aborted) throw cancelled();
  const dockerfile = dockerfilePath(options.dockerfile);
  const tar = await packContext(options.context, dockerfile);

  const tail: string[] = [];
  const cache = new CacheTracker();
  let imageId: string | undefined;
  let failure: string | undefined;
  const emit = (line: string, stream: OutputStream) => {
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
    cache.see(line);
    const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
    if (built && !imageId) imageId = built[1];
    onLine(line, stream);
  };
  // The classic builder marks a step's stderr by wrapping it in ESC[91m … ESC[0m inside the same text stream.
  let inStderr = false;
  const output = new LineSplitter((line) => {
    const start = line.lastIndexOf(STDERR_ON);
    const end = line.lastIndexOf(STDERR_OFF);
    const stream = (inStderr || start >= 0) && !line.startsWith(STDERR_OFF) ? 'stderr' : 'stdout';
    if (start >= 0 || end >= 0) inStderr = start > end;
    emit(line, stream);
  });
  const handle = (message: BuildMessage) => {
    if (message.errorDetail || message.error) {
      output.flush();
      failure = message.errorDetail?.message || message.error || 'unknown error';
      for (const line of failure.split('\n')) emit(line, 'stderr');
    } else if (typeof message.stream === 'string') {
      output.push(message.stream);
    } else if (typeof message.status === 'string') {
      output.push(
        `${message.id ? `${message.id}: ` : ''}${message.status}${message.progress ? ` ${message.progress}` : ''}\n`,
      );
    } else if (message.aux?.ID) {
      imageId = message.aux.ID;
    }
  };

  let response: Readable;
  try {
    response = (await docker.buildImage(tar as unknown as NodeJS.ReadableStream, {
      t: options.tag,
      dockerfile,
      labels: options.labels,
      ...(options.buildArgs ? { buildargs: options.buildArgs } : {}),
      nocache: options.noCache ?? false,
      rm: true,
      forcerm: true,
      // Aborting destroys the HTTP request; the engine then cancels the build and kills the running step.
      ...(signal ? { abortSignal: signal } : {}),
    })) as unknown as Readable;
  } catch (error) {
    tar.destroy();
    if (signal?.aborted) throw cancelled();
    throw new EngineError('build_failed', `The engine refused the build: ${dockerMessage(error)}`);
  }

  // Newline-delimited JSON whose objects may be split across chunks (and a chunk may split a UTF-8 character).
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  try {
    for await (const chunk of response) {
      buffer += decoder.write(chunk as Buffer);
      const records = buffer.split('\n');
      buffer = records.pop()!;
      for (const record of records) parseRecord(record, handle);
    }
    parseRecord(buffer + decoder.end(), handle);
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    throw new EngineError('build_failed', `The build stream broke off: ${dockerMessage(error)}`, [...tail]);
  } finally {
    tar.destroy();
  }
  if (signal?.aborted) throw cancelled();
  output.flush();
  if (failure !== undefined) {
    const plain = tail.map((line) => line.replace(ANSI, ''));
    throw new EngineError('build_failed', `The image build failed: ${failure}\nLast output:\n${plain.join('\n')}`, [
      ...tail,
    ]);
  }
  if (!imageId) throw new EngineError('build_failed', 'The build ended without producing an image.', [...tail]);
  const image = await docker.getImage(options.tag).inspect();
  return { imageId: image.Id, tag: options.tag, sizeMb: Math.round(image.Size / 1e5) / 10, cacheHit: cache.hit };
}

function parseRecord(record: string, handle: (message: BuildMessage) => void): void {
  const text = record.trim();
  if (text === '') return;
  let message: BuildMessage;
  try {
    message = JSON.parse(text) as BuildMessage;
  } catch {
    // Not JSON (an engine that answered with plain text): still show it rather than lose it.
    message = { stream: `${text}\n` };
  }
  handle(message);
}
