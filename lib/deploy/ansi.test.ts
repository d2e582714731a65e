import { describe, expect, it } from 'vitest';

import { ansiSegments, stripAnsi } from './ansi';

describe('ansiSegments', () => {
  it('keeps a plain line as one segment', () => {
    expect(ansiSegments('Step 1/4 : FROM slipway/busybox:test')).toEqual([
      { text: 'Step 1/4 : FROM slipway/busybox:test' },
    ]);
  });

  it('turns SGR colours and weights into segment styles', () => {
    expect(ansiSegments('\u001b[1;31merror\u001b[0m: missing file')).toEqual([
      { text: 'error', fg: 'rgb(187, 0, 0)', bold: true },
      { text: ': missing file' },
    ]);
  });

  it('reads 256-colour and background codes', () => {
    const [segment] = ansiSegments('\u001b[38;5;45;48;5;0mcyan on black\u001b[0m');
    expect(segment).toMatchObject({ text: 'cyan on black' });
    expect(segment!.fg).toMatch(/^rgb\(/);
    expect(segment!.bg).toMatch(/^rgb\(/);
  });

  it('drops cursor and title sequences instead of printing them', () => {
    expect(stripAnsi('\u001b[2K\u001b[1Aprogress 50%\u001b]0;title\u0007')).toBe('progress 50%');
  });

  it('never returns markup: angle brackets stay text', () => {
    expect(stripAnsi('\u001b[32m<script>alert(1)</script>\u001b[0m')).toBe('<script>alert(1)</script>');
  });
});
