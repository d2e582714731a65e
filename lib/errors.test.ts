import { describe, expect, it } from 'vitest';

import { APP_ERROR_STATUS, AppError, httpStatusFor, type AppErrorCode } from './errors';

// Every code's status, written out: adding a code without deciding its status, or changing one, fails here.
const EXPECTED: Record<AppErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
};

describe('httpStatusFor', () => {
  it.each(Object.entries(EXPECTED))('%s answers %i', (code, status) => {
    expect(httpStatusFor(code as AppErrorCode)).toBe(status);
  });

  it('knows exactly the codes above', () => {
    expect(Object.keys(APP_ERROR_STATUS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('answers a 4xx for every code: an AppError is the person’s to fix, never a server fault', () => {
    for (const status of Object.values(APP_ERROR_STATUS)) expect(status >= 400 && status < 500).toBe(true);
  });
});

describe('AppError', () => {
  it('keeps its code, message, field and audit entry', () => {
    const audit = { userId: null, action: 'authz.denied', resourceType: 'team' as const };
    const error = new AppError('conflict', 'A team with that name exists: choose another name.', {
      field: 'name',
      audit,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'AppError',
      code: 'conflict',
      field: 'name',
      options: { field: 'name', audit },
    });
    expect(error.message).toBe('A team with that name exists: choose another name.');
  });

  it('has no field unless given one', () => {
    expect(new AppError('not_found', 'Gone.').field).toBeUndefined();
  });
});
