import { describe, expect, it } from 'vitest';

import { checkDns, localServerAddresses, nameToAsk, type DnsDeps } from './dns';

const SERVER = ['203.0.113.10', '2001:db8::10'];

// Resolvers answering from a table: a name missing from it does not resolve (ENOTFOUND, as the real one throws).
function deps(table: Record<string, { a?: string[]; aaaa?: string[] }>, asked: string[] = []): DnsDeps {
  const lookup = (kind: 'a' | 'aaaa') => async (name: string) => {
    asked.push(`${kind} ${name}`);
    const answer = table[name]?.[kind];
    if (!answer) throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return answer;
  };
  return { resolve4: lookup('a'), resolve6: lookup('aaaa'), serverAddresses: () => SERVER };
}

describe('the DNS check', () => {
  it('says a name pointing at this server does so', async () => {
    const result = await checkDns('example.com', deps({ 'example.com': { a: ['203.0.113.10'] } }));
    expect(result).toMatchObject({ verdict: 'points_here', addresses: ['203.0.113.10'], matching: ['203.0.113.10'] });
    expect(result.hint).toBe('example.com points at this server.');
  });

  it('matches IPv6 in any spelling', async () => {
    const result = await checkDns('example.com', deps({ 'example.com': { aaaa: ['2001:DB8::10'] } }));
    expect(result.verdict).toBe('points_here');
  });

  it('says a name pointing elsewhere does, listing the addresses and the NAT setting', async () => {
    const result = await checkDns(
      'example.com',
      deps({ 'example.com': { a: ['198.51.100.7'], aaaa: ['2001:db8::99'] } }),
    );
    expect(result).toMatchObject({
      verdict: 'points_elsewhere',
      addresses: ['198.51.100.7', '2001:db8::99'],
      matching: [],
    });
    expect(result.hint).toMatch(/points elsewhere \(198\.51\.100\.7, 2001:db8::99\).*SLIPWAY_PUBLIC_IP/);
  });

  it('warns when only some of the answers are this server', async () => {
    const result = await checkDns('example.com', deps({ 'example.com': { a: ['203.0.113.10', '198.51.100.7'] } }));
    expect(result.verdict).toBe('points_here');
    expect(result.hint).toMatch(/also at 198\.51\.100\.7: requests to those go elsewhere/);
  });

  it('says a name without records does not resolve', async () => {
    const result = await checkDns('nowhere.example', deps({}));
    expect(result).toMatchObject({ verdict: 'does_not_resolve', addresses: [] });
    expect(result.hint).toMatch(/does not resolve: add an A \(or AAAA\) record/);
  });

  it('treats a resolver that times out as no answer, and keeps the other family', async () => {
    const d = deps({ 'example.com': { aaaa: ['2001:db8::10'] } });
    d.resolve4 = () => Promise.reject(Object.assign(new Error('queryA ETIMEOUT example.com'), { code: 'ETIMEOUT' }));
    expect((await checkDns('example.com', d)).verdict).toBe('points_here');
  });

  it('checks a wildcard through a random label, and says so', async () => {
    const asked: string[] = [];
    const result = await checkDns(
      '*.example.com',
      deps({ 'slipway-check-abc123.example.com': { a: ['203.0.113.10'] } }, asked),
      () => 'abc123',
    );
    expect(asked).toEqual(['a slipway-check-abc123.example.com', 'aaaa slipway-check-abc123.example.com']);
    expect(result.verdict).toBe('points_here');
    expect(result.hint).toMatch(/wildcard: checked the random name slipway-check-abc123\.example\.com/);
    expect(nameToAsk('*.example.com')).toMatch(/^slipway-check-[0-9a-f]{12}\.example\.com$/);
    expect(nameToAsk('www.example.com')).toBe('www.example.com');
  });

  it('counts SLIPWAY_PUBLIC_IP among the server addresses, ignoring what is not an address', () => {
    const addresses = localServerAddresses(' 198.51.100.1 , nonsense,2001:db8::1');
    expect(addresses).toEqual(expect.arrayContaining(['198.51.100.1', '2001:db8::1']));
    expect(addresses).not.toContain('nonsense');
    expect(addresses).not.toContain('127.0.0.1');
  });
});
