import { describe, expect, it } from 'vitest';

import { applicationStatusAfter, canTransition, DEPLOYMENT_STATUSES, isTerminal, type DeploymentStatus } from './state';

const LEGAL: [DeploymentStatus, DeploymentStatus][] = [
  ['pending', 'building'],
  ['pending', 'failed'],
  ['pending', 'superseded'],
  ['building', 'deploying'],
  ['building', 'failed'],
  ['deploying', 'success'],
  ['deploying', 'failed'],
  ['deploying', 'rolled_back'],
];

describe('deployment transitions', () => {
  const pairs = DEPLOYMENT_STATUSES.flatMap((from) => DEPLOYMENT_STATUSES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s', (from, to) => {
    const legal = LEGAL.some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to)).toBe(legal);
  });

  it('ends only in success, failed, rolled_back and superseded', () => {
    expect(DEPLOYMENT_STATUSES.filter(isTerminal)).toEqual(['success', 'failed', 'rolled_back', 'superseded']);
  });
});

describe('the application status that follows', () => {
  it.each([
    ['pending', 'building', 'stopped', 'deploying'],
    ['building', 'deploying', 'running', 'deploying'],
    ['deploying', 'success', 'stopped', 'running'],
    ['deploying', 'rolled_back', 'running', 'running'],
    ['deploying', 'failed', 'running', 'failed'],
    // a build that fails or is cancelled never touched the service: the old version keeps serving
    ['building', 'failed', 'running', 'running'],
    ['building', 'failed', 'stopped', 'failed'],
    // superseded or cancelled before it started: nothing changed
    ['pending', 'superseded', 'running', null],
    ['pending', 'superseded', 'failed', null],
    ['pending', 'failed', 'running', null],
  ] as const)('%s → %s (was %s) gives %s', (from, to, previous, expected) => {
    expect(applicationStatusAfter(from, to, previous)).toBe(expected);
  });
});
