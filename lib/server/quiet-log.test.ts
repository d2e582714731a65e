import { describe, expect, it } from 'vitest';

import { createQuietLog } from './quiet-log';

function harness(windowMs = 1_000) {
  let clock = 0;
  const lines: string[] = [];
  const log = createQuietLog({ windowMs, now: () => clock, write: (line) => lines.push(line) });
  return { log, lines, advance: (ms: number) => (clock += ms) };
}

describe('createQuietLog', () => {
  it('prints the first line of a kind and holds back repeats inside the window', () => {
    const { log, lines, advance } = harness();
    log('cookie', 'bad cookie from 10.0.0.1');
    log('cookie', 'bad cookie from 10.0.0.2');
    advance(999);
    log('cookie', 'bad cookie from 10.0.0.3');
    expect(lines).toEqual(['bad cookie from 10.0.0.1']);
  });

  it('says how many were held back with the next line after the window', () => {
    const { log, lines, advance } = harness();
    log('cookie', 'one');
    log('cookie', 'two');
    log('cookie', 'three');
    advance(1_000);
    log('cookie', 'four');
    expect(lines).toEqual(['one', 'four (and 2 more like it in the last 1 s)']);
  });

  it('rate-limits each kind on its own', () => {
    const { log, lines } = harness();
    log('a', 'first a');
    log('b', 'first b');
    log('a', 'second a');
    expect(lines).toEqual(['first a', 'first b']);
  });

  it('keeps a multi-line message on one line', () => {
    const { log, lines } = harness();
    log('x', 'Error: boom\n    at foo (a.js:1)\r\n    at bar');
    expect(lines).toEqual(['Error: boom at foo (a.js:1) at bar']);
  });
});
