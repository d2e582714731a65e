import { describe, expect, it } from 'vitest';

import { lineBudget } from './live-log-limit';

describe('lineBudget', () => {
  it('gives the burst at once, then a second’s worth each second, never more than the burst', () => {
    let clock = 0;
    const budget = lineBudget({ perSecond: 3, burst: 5 }, () => clock);
    const taken = (tries: number) => Array.from({ length: tries }, () => budget.take()).filter(Boolean).length;
    expect(taken(10)).toBe(5);
    expect(budget.untilRefill()).toBe(1000);
    clock = 999;
    expect(taken(10)).toBe(0);
    expect(budget.untilRefill()).toBe(1);
    clock = 1000;
    expect(taken(10)).toBe(3);
    clock = 60_000;
    expect(taken(10)).toBe(5);
  });
});
