import { describe, expect, it } from 'vitest';

import { formatLogId, isAfter, logIds, micros, parseLogId } from './runtime-log-ids';

// Docker times of a burst: several lines in one microsecond, one without a time, one older than the one before it
// (another replica), then later lines.
const TIMES = [
  '2026-12-03T14:09:32.811227987Z',
  '2026-12-03T14:09:32.811227991Z',
  '2026-12-03T14:09:32.811227999Z',
  undefined,
  '2026-12-03T14:09:32.811226000Z',
  '2026-12-03T14:09:32.811228000Z',
  '2026-12-03T14:09:33.000000001Z',
];

const idsOf = (times: (string | undefined)[]) => {
  const next = logIds();
  return times.map((time) => formatLogId(next(micros(time))));
};

describe('runtime log ids', () => {
  it('order every line, tied timestamps included, and never repeat', () => {
    expect(idsOf(TIMES)).toEqual([
      '1796306972811227000',
      '1796306972811227001',
      '1796306972811227002',
      '1796306972811227003',
      '1796306972811227004',
      '1796306972811228000',
      '1796306973000000000',
    ]);
  });

  it('let a resume from any line send exactly the lines after it when the replay numbers them again', () => {
    const ids = idsOf(TIMES);
    for (const [index, id] of ids.entries()) {
      const after = parseLogId(id)!;
      const next = logIds();
      const resumed = TIMES.map((time) => next(micros(time))).filter((cursor) => isAfter(cursor, after));
      expect(resumed.map(formatLogId), `after ${id}`).toEqual(ids.slice(index + 1));
    }
  });

  it('go on in order past a thousand lines of one microsecond', () => {
    const next = logIds();
    const ids = Array.from({ length: 1002 }, () => next(1_000_000));
    expect(formatLogId(ids[999]!)).toBe('1000000999');
    expect(ids.slice(1000).map(formatLogId)).toEqual(['1000001000', '1000001001']);
    expect(formatLogId(next(1_000_001))).toBe('1000001002');
  });

  it('read back only ids of their own shape', () => {
    expect(parseLogId('1796306972811227004')).toEqual({ micros: 1796306972811227, seq: 4 });
    for (const bad of ['', '12', '0000', 'abc', '1796306972811227004x', '17963069728112270041', '-1000']) {
      expect(parseLogId(bad), bad).toBeNull();
    }
  });
});
