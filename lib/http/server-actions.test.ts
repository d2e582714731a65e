// refuseServerAction: what the edge refuses before Next.js runs a server action, and that it lets the rest through.
import { describe, expect, it } from 'vitest';

import { CROSS_ORIGIN_REFUSED } from './origin';
import { ACTION_BODY_LIMIT_BYTES, ACTION_ID_MALFORMED, ACTION_TOO_LARGE, refuseServerAction } from './server-actions';

const post = (values: Record<string, string>, method = 'POST') => ({ method, headers: new Headers(values) });
const own = {
  host: 'panel.test',
  origin: 'http://panel.test',
  'next-action': '7f054661416cb4509a71be183c236aa6e011849d2a',
};

describe('refuseServerAction', () => {
  it('lets through a same-origin post within the cap, one without Origin, and anything not a POST', () => {
    expect(refuseServerAction(post({ ...own, 'content-length': String(ACTION_BODY_LIMIT_BYTES) }))).toBeNull();
    expect(refuseServerAction(post({ host: 'panel.test', 'content-length': '10' }))).toBeNull();
    expect(refuseServerAction(post({ ...own, origin: 'http://evil.example' }, 'GET'))).toBeNull();
  });

  it('refuses a post from another site with a 403 and a plain message', async () => {
    const response = refuseServerAction(post({ ...own, origin: 'http://evil.example' }))!;
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe(`${CROSS_ORIGIN_REFUSED}\n`);
  });

  it('refuses a body over the cap with a 413 that says what to do', async () => {
    const response = refuseServerAction(post({ ...own, 'content-length': String(ACTION_BODY_LIMIT_BYTES + 1) }))!;
    expect(response.status).toBe(413);
    expect(await response.text()).toBe(`${ACTION_TOO_LARGE}\n`);
  });

  it.each([
    'abc',
    '',
    'x'.repeat(42),
    '7f054661416cb4509a71be183c236aa6e011849d',
    '00'.repeat(22),
    '7F054661416CB4509A71BE183C236AA6E011849D2A',
    '../../etc/passwd',
    '7f05 4661',
  ])('refuses a malformed action id %j with a 400 before Next.js looks it up', async (id) => {
    const response = refuseServerAction(post({ ...own, 'next-action': id }))!;
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`${ACTION_ID_MALFORMED}\n`);
  });
});
