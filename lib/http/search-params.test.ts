import { describe, expect, it } from 'vitest';

import { filtersFrom, first, hrefWith } from './search-params';

describe('search params', () => {
  it('takes the first of repeated values', () => {
    expect(first(['a', 'b'])).toBe('a');
    expect(first('a')).toBe('a');
    expect(first(undefined)).toBeUndefined();
    expect(first([])).toBeUndefined();
  });

  it('reads the named filters trimmed, leaving blank and unknown ones out', () => {
    expect(
      filtersFrom({ q: '  api ', role: ['admin', 'viewer'], after: '', tag: '   ', other: 'x' }, [
        'q',
        'role',
        'after',
        'tag',
      ]),
    ).toEqual({
      q: 'api',
      role: 'admin',
    });
  });

  it('builds a link with the non-blank parameters, encoded, in the order given', () => {
    expect(hrefWith('/audit', { user: 'a b', action: undefined, resourceId: '', cursor: 'x&y=z' })).toBe(
      '/audit?user=a+b&cursor=x%26y%3Dz',
    );
    expect(hrefWith('/users', { q: null, role: undefined })).toBe('/users');
    expect(hrefWith('/', { tag: 'critical' })).toBe('/?tag=critical');
  });
});
