import { describe, expect, it } from 'vitest';

import { certificateWarnings, daysLeft, thresholdReached } from './expiry';

const NOW = new Date('2027-03-01T12:00:00Z');
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

describe('thresholdReached', () => {
  it.each([
    [90, null],
    [45, null],
    [21.01, null],
    [21, 21],
    [20, 21],
    [7.5, 21],
    [7, 7],
    [2, 7],
    [1, 1],
    [0.1, 1],
    [-3, 1],
  ])('%s days left → %s', (days, expected) => {
    expect(thresholdReached(inDays(days), NOW)).toBe(expected);
  });
});

describe('certificateWarnings', () => {
  it('says nothing with more than 21 days left, whatever the lifetime', () => {
    expect(certificateWarnings({ expiresAt: inDays(30), renewalError: null, source: 'acme' }, NOW)).toEqual([]);
  });

  it('counts the days left and says what to do', () => {
    expect(certificateWarnings({ expiresAt: inDays(6.5), renewalError: null, source: 'custom' }, NOW)).toEqual([
      'Expires in 6 days (2027-03-08): upload a renewed certificate.',
    ]);
    expect(daysLeft(inDays(0.5), NOW)).toBe(0);
    expect(certificateWarnings({ expiresAt: inDays(0.5), renewalError: null, source: 'acme' }, NOW)[0]).toMatch(
      /^Expires in less than a day/,
    );
  });

  it('warns about an expired certificate and a failed renewal', () => {
    expect(
      certificateWarnings({ expiresAt: inDays(-1), renewalError: 'HTTP-01 challenge failed', source: 'acme' }, NOW),
    ).toEqual(['Expired on 2027-02-28: the proxy should have renewed it.', 'Renewal failed: HTTP-01 challenge failed']);
    expect(certificateWarnings({ expiresAt: inDays(60), renewalError: 'rate limited', source: 'acme' }, NOW)).toEqual([
      'Renewal failed: rate limited',
    ]);
  });
});
