// The load client counts what the zero-downtime proof rests on: every non-2xx, refused connection and timeout is a
// failure, bodies are recorded in the order they were served, and the rate is held.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { describeLoad, startLoad, summarize } from './load';

const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('startLoad', () => {
  it('holds the rate, sends the Host header, and records versions in the order served', async () => {
    let count = 0;
    const hosts = new Set<string>();
    const port = await serve((req, res) => {
      hosts.add(req.headers.host ?? '');
      count += 1;
      res.end(count <= 20 ? 'v1\n' : 'v2\n');
    });
    const report = await startLoad({ port, host: 'app.test', rate: 50, durationMs: 1_000 }).done;
    expect(report.requests).toBeGreaterThanOrEqual(45);
    expect(report.requests).toBeLessThanOrEqual(52);
    expect(report.failed).toBe(0);
    expect(report.versions).toEqual(['v1', 'v2']);
    expect([...hosts]).toEqual(['app.test']);
    expect(describeLoad('t', report)).toMatch(/^t: \d+ requests, 0 failed, versions v1→v2, /);
  });

  it('counts a non-2xx, a refused connection and a timeout as failures, by cause', async () => {
    const port = await serve((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1_000);
      res.statusCode = 502;
      res.end('bad gateway');
    });
    const bad = await startLoad({ port, host: 'x', rate: 20, durationMs: 300 }).done;
    expect(bad.ok).toBe(0);
    expect(Object.keys(bad.failures)).toEqual(['status 502']);

    const slow = await startLoad({ port, host: 'x', path: '/slow', rate: 20, durationMs: 200, timeoutMs: 100 }).done;
    expect(slow.failed).toBe(slow.requests);
    expect(Object.keys(slow.failures)).toEqual(['timeout']);

    const closed = await serve(() => {});
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const refused = await startLoad({ port: closed, host: 'x', rate: 20, durationMs: 200 }).done;
    expect(refused.requests).toBeGreaterThan(0);
    expect(refused.failures).toEqual({ ECONNREFUSED: refused.requests });
  });

  it('stop() ends the run early and waits for requests in flight', async () => {
    const port = await serve((_req, res) => setTimeout(() => res.end('ok'), 150));
    const run = startLoad({ port, host: 'x', rate: 100, durationMs: 60_000 });
    await expect.poll(() => run.samples().length, { timeout: 5_000 }).toBeGreaterThan(5);
    const report = await run.stop();
    expect(report.durationMs).toBeLessThan(5_000);
    expect(report.failed).toBe(0);
    expect(report.requests).toBe(run.samples().length);
  });

  it('refuses a rate beyond its bound', () => {
    expect(() => startLoad({ port: 1, host: 'x', rate: 100_000 })).toThrow(/rate/);
  });
});

describe('summarize', () => {
  it('orders versions by when each request started, not when it finished', () => {
    const report = summarize(
      [
        { startedAt: 20, latencyMs: 1, body: 'v2' },
        { startedAt: 10, latencyMs: 30, body: 'v1' },
        { startedAt: 30, latencyMs: 1, body: null, error: 'ECONNRESET' },
      ],
      100,
    );
    expect(report.versions).toEqual(['v1', 'v2']);
    expect(report.failures).toEqual({ ECONNRESET: 1 });
    expect(report.latency.p50).toBe(1);
    expect(report.latency.max).toBe(30);
  });
});
