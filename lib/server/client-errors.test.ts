// The production server's handling of clients that go away, on real sockets: a request body cut off by a reset is
// not logged (Next.js logs such an error bare, with console.error), an error of some other connection still is, and
// a malformed request gets Node's answer and one line.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { ignoreGoneClients, isClientGone, quietGoneClients, watchClientErrors } from './client-errors';
import { createQuietLog } from './quiet-log';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handle: (req: http.IncomingMessage, res: http.ServerResponse) => unknown, watched = true) {
  const lines: string[] = [];
  server = http.createServer(handle);
  if (watched) watchClientErrors(server, { log: createQuietLog({ write: (line) => lines.push(line) }) });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, lines };
}

/** Sends a POST whose body never arrives in full, and resets the connection once the server has read some of it. */
function abandonUpload(port: number, reading: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
      void reading.then(() => socket.resetAndDestroy());
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

/** A console whose error() lines are kept, quieted as scripts/server.mjs quiets the real one. */
function quietConsole() {
  const logged: unknown[][] = [];
  const target = { error: (...args: unknown[]) => void logged.push(args), warn: () => {} };
  quietGoneClients(target);
  return { target, logged };
}

/** A handler that reads the body like Next.js's server-action handler and logs what it throws, bare. */
function bodyReader(target: Pick<Console, 'error'>) {
  let started!: () => void;
  let finished!: () => void;
  const reading = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<void>((resolve) => (finished = resolve));
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      for await (const chunk of req) if (chunk) started();
      res.end('ok');
    } catch (error) {
      target.error(error);
    } finally {
      finished();
    }
  };
  return { handle, reading, done };
}

describe('a client that goes away', () => {
  it('is not logged when its upload is cut off, though the same error is logged on an unwatched server', async () => {
    for (const watched of [true, false]) {
      const { target, logged } = quietConsole();
      const reader = bodyReader(target);
      const { port } = await listen(reader.handle, watched);
      await abandonUpload(port, reader.reading);
      await reader.done;
      if (watched) expect(logged).toEqual([]);
      else expect(logged.map(([error]) => (error as Error).message)).toEqual(['aborted']);
      server!.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
  });

  it('still logs ECONNRESET from a connection that is not a client’s (a database, Docker)', () => {
    const { target, logged } = quietConsole();
    const upstream = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isClientGone(upstream)).toBe(true);
    target.error('[slipway] runtime logs failed', upstream);
    target.error(upstream);
    expect(logged).toEqual([['[slipway] runtime logs failed', upstream], [upstream]]);
  });

  it('drops a handler rejection caused by the client hanging up, and passes any other on', async () => {
    let started!: () => void;
    const reading = new Promise<void>((resolve) => (started = resolve));
    // Next.js's handler rethrowing the body's error, as "failed to pipe response" does with its cause.
    const handle = ignoreGoneClients(async (req: http.IncomingMessage) => {
      try {
        for await (const chunk of req) if (chunk) started();
      } catch (error) {
        throw new Error('failed to read the request', { cause: error });
      }
    });
    let outcome!: Promise<unknown>;
    const { port } = await listen((req, res) => void (outcome = Promise.resolve(handle(req, res))));
    await abandonUpload(port, reading);
    await expect(outcome).resolves.toBeUndefined();

    const boom = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const upstream = ignoreGoneClients(() => Promise.reject(boom));
    await expect(upstream({} as http.IncomingMessage, {} as http.ServerResponse)).rejects.toBe(boom);
  });
});

describe('a malformed request', () => {
  it('is answered 400 as Node would, and logged once with its reason however often it comes', async () => {
    const { port, lines } = await listen((_req, res) => res.end('ok'));
    const answers: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      answers.push(
        await new Promise<string>((resolve) => {
          let text = '';
          const socket = net.connect(port, '127.0.0.1', () => socket.write('HELLO / HTTP/1.1\r\n\r\n'));
          socket.on('data', (chunk) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
        }),
      );
    }
    expect(answers.map((text) => text.split('\r\n')[0])).toEqual(Array(3).fill('HTTP/1.1 400 Bad Request'));
    expect(lines).toEqual([
      expect.stringMatching(/^\[slipway\] connection error from 127\.0\.0\.1: HPE_INVALID_METHOD: /),
    ]);
  });
});

describe('a server action from another build', () => {
  it('is one line with its id instead of a stack, and repeats are held back', () => {
    const logged: unknown[][] = [];
    const lines: string[] = [];
    const target = {
      error: (...args: unknown[]) => void logged.push(args),
      warn: (...args: unknown[]) => void logged.push(args),
    };
    quietGoneClients(target, { log: createQuietLog({ write: (line) => lines.push(line) }) });
    const id = '7f054661416cb4509a71be183c236aa6e011849d2a';
    const stale = new Error(
      `Failed to find Server Action "${id}". This request might be from an older or newer deployment.\nRead more: https://nextjs.org/docs/messages/failed-to-find-server-action`,
    );
    // Next.js warns it (handleUnrecognizedAction); an error of the same text is quieted alike.
    target.warn(stale);
    target.error(stale);
    target.error(new Error('Failed to find the database'));
    expect(lines).toEqual([
      `[slipway] a page from another build of the panel posted server action ${id}: answered 409 (reloading the page fixes it)`,
    ]);
    expect(logged).toEqual([[new Error('Failed to find the database')]]);
  });
});
