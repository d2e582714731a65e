// Service logs from the real engine: demultiplexed stdout/stderr, follow, tail, timestamps, ending on abort.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectDocker } from './client';
import { serviceLogs, type LogLine } from './logs';
import { cleanupApps, deployHttpApp, fetchText, testApp } from './test-support';

const docker = connectDocker();
const app = testApp('logs');
let port = 0;

beforeAll(async () => {
  const deployed = await deployHttpApp(docker, app, 'logs');
  expect(deployed.outcome).toBe('success');
  port = deployed.port;
}, 120_000);

afterAll(() => cleanupApps(docker, [app]), 60_000);

describe('serviceLogs', () => {
  it('follows the service: earlier lines from tail, then new lines as they are written, until aborted', async () => {
    const controller = new AbortController();
    const seen: LogLine[] = [];
    let requested = false;
    const consumed = (async () => {
      for await (const line of serviceLogs(docker, app.id, { follow: true, tail: 10, signal: controller.signal })) {
        seen.push(line);
        const started = seen.some((entry) => entry.line === 'started logs');
        if (started && seen.some((entry) => entry.line === 'warming logs') && !requested) {
          requested = true;
          expect(await fetchText(port)).toBe('logs');
        }
        if (seen.some((entry) => /response:200/.test(entry.line))) controller.abort();
      }
    })();
    const timer = setTimeout(() => controller.abort(), 30_000);
    await consumed;
    clearTimeout(timer);

    expect(seen.find((entry) => entry.line === 'started logs')?.stream).toBe('stdout');
    expect(seen.find((entry) => entry.line === 'warming logs')?.stream).toBe('stderr');
    // httpd -v logs each request on stderr: this line was written after following began.
    expect(seen.find((entry) => /response:200/.test(entry.line))?.stream).toBe('stderr');
    expect(seen.every((entry) => !entry.line.includes('\n') && entry.time === undefined)).toBe(true);
  }, 60_000);

  it('returns the last lines with timestamps and ends by itself without follow', async () => {
    const lines: LogLine[] = [];
    for await (const line of serviceLogs(docker, app.id, { tail: 1, timestamps: true })) lines.push(line);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.line).toMatch(/response:200/);
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

    const all: LogLine[] = [];
    for await (const line of serviceLogs(docker, app.id, { since: new Date(Date.now() - 10 * 60_000) })) all.push(line);
    expect(all.map((entry) => entry.line)).toEqual(expect.arrayContaining(['started logs', 'warming logs']));
  }, 30_000);

  it('says when the application has no service', async () => {
    const iterator = serviceLogs(docker, testApp('none').id, {});
    await expect(iterator.next()).rejects.toMatchObject({ code: 'not_found' });
  });
});
