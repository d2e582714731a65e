import { describe, expect, it } from 'vitest';

import { LogDemuxer, type LogLine } from './logs';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function feed(demuxer: LogDemuxer, bytes: Buffer, size: number): LogLine[] {
  const lines: LogLine[] = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    lines.push(...demuxer.push(bytes.subarray(offset, offset + size)));
  return [...lines, ...demuxer.end()];
}

describe('LogDemuxer', () => {
  const bytes = Buffer.concat([
    frame(1, 'hello\nwor'),
    frame(2, 'oops\n'),
    frame(1, 'ld\r\n'),
    frame(1, 'é – ✓ 🚀\n'),
    frame(2, 'no newline at the end'),
  ]);
  const expected: LogLine[] = [
    { stream: 'stdout', line: 'hello' },
    { stream: 'stderr', line: 'oops' },
    { stream: 'stdout', line: 'world' },
    { stream: 'stdout', line: 'é – ✓ 🚀' },
    { stream: 'stderr', line: 'no newline at the end' },
  ];

  // Every chunk size, down to one byte: frame headers, lines and UTF-8 characters all get split somewhere.
  it.each([1, 2, 3, 5, 7, 8, 9, 13, 64, bytes.length])('gives the same lines when read %i bytes at a time', (size) => {
    expect(feed(new LogDemuxer(), bytes, size)).toEqual(expected);
  });

  it('splits the timestamp off when timestamps were asked for', () => {
    const lines = feed(
      new LogDemuxer(true),
      Buffer.concat([frame(1, '2026-11-28T00:46:50.123456789Z started v1\n'), frame(2, 'no time here\n')]),
      4,
    );
    expect(lines).toEqual([
      { stream: 'stdout', line: 'started v1', time: '2026-11-28T00:46:50.123456789Z' },
      { stream: 'stderr', line: 'no time here' },
    ]);
  });

  it('keeps an incomplete frame until the rest arrives', () => {
    const demuxer = new LogDemuxer();
    const whole = frame(1, 'abc\n');
    expect(demuxer.push(whole.subarray(0, 10))).toEqual([]);
    expect(demuxer.push(whole.subarray(10))).toEqual([{ stream: 'stdout', line: 'abc' }]);
    expect(demuxer.end()).toEqual([]);
  });
});
