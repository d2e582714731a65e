import { describe, expect, it } from 'vitest';

import { forget, keep, recall, remember } from './remember';

let n = 0;
const key = () => `test-${++n}`;

describe('remember', () => {
  it('makes the value once and hands every caller the same one', () => {
    const k = key();
    let made = 0;
    const first = remember(k, () => ({ made: ++made }));
    expect(remember(k, () => ({ made: ++made }))).toBe(first);
    expect(made).toBe(1);
    expect(recall(k)).toBe(first);
  });

  it('forgets a promise that rejects, so the next caller tries again', async () => {
    const k = key();
    const failed = remember(k, () => Promise.reject(new Error('database away')));
    await expect(failed).rejects.toThrow('database away');
    expect(recall(k)).toBeUndefined();
    await expect(remember(k, () => Promise.resolve('open'))).resolves.toBe('open');
    expect(await recall<Promise<string>>(k)).toBe('open');
  });

  it('keeps a promise that resolves', async () => {
    const k = key();
    const opened = remember(k, () => Promise.resolve(1));
    await opened;
    expect(remember(k, () => Promise.resolve(2))).toBe(opened);
  });

  it('forgets only the value it was told to when given one', () => {
    const k = key();
    const old = keep(k, { v: 1 });
    const newer = keep(k, { v: 2 });
    forget(k, old);
    expect(recall(k)).toBe(newer);
    forget(k);
    expect(recall(k)).toBeUndefined();
  });

  it('a late rejection of a replaced promise leaves the newer value alone', async () => {
    const k = key();
    let reject!: (error: Error) => void;
    const stale = remember(k, () => new Promise((_, no) => (reject = no)));
    const fresh = keep(k, Promise.resolve('fresh'));
    reject(new Error('late'));
    await expect(stale).rejects.toThrow('late');
    expect(recall(k)).toBe(fresh);
  });
});
