import { describe, expect, it } from 'vitest';

import type { PublishedPort } from '@/lib/swarm';

import { addressesOf, panelHostname } from './endpoints';

describe('addressesOf', () => {
  const ports: PublishedPort[] = [
    { protocol: 'tcp', target: 8080, published: 80, mode: 'ingress' },
    { protocol: 'udp', target: 53, published: 5353, mode: 'ingress' },
    { protocol: 'tcp', target: 8080, published: 31000, mode: 'host', node: { addr: '10.0.0.5', local: true } },
    { protocol: 'tcp', target: 8080, published: 31001, mode: 'host', node: { addr: '10.0.0.6', local: false } },
    { protocol: 'tcp', target: 9000, published: 9000, mode: 'host', node: { addr: 'fd00::6', local: false } },
  ];

  it('puts ingress ports and the panel node’s host ports on the panel’s host, other host ports on their node', () => {
    expect(addressesOf(ports, 'panel.example.com').map((address) => [address.text, address.href])).toEqual([
      ['panel.example.com:80', 'http://panel.example.com:80/'],
      ['panel.example.com:5353/udp', undefined],
      ['panel.example.com:31000', 'http://panel.example.com:31000/'],
      ['10.0.0.6:31001', 'http://10.0.0.6:31001/'],
      ['[fd00::6]:9000', 'http://[fd00::6]:9000/'],
    ]);
  });

  it('keeps the container port and mode beside each address', () => {
    expect(addressesOf(ports.slice(3, 4), 'localhost')).toEqual([
      { text: '10.0.0.6:31001', href: 'http://10.0.0.6:31001/', protocol: 'tcp', target: 8080, mode: 'host' },
    ]);
  });
});

describe('panelHostname', () => {
  it('prefers SLIPWAY_URL, the address the operator configured', () => {
    expect(panelHostname('10.1.2.3:3000', 'https://panel.example.com/')).toBe('panel.example.com');
  });
  // Without SLIPWAY_URL the request's Host header decides, and anything that is no host falls back.
  it.each([
    ['panel.example.com:3000', 'panel.example.com'],
    ['127.0.0.1:3000', '127.0.0.1'],
    ['[::1]:3000', '[::1]'],
    ['evil.example/<script>', 'evil.example'],
    ['', 'localhost'],
    [null, 'localhost'],
    ['a b', 'localhost'],
  ])('Host %j gives %j', (header, expected) => {
    expect(panelHostname(header, undefined)).toBe(expected);
  });
});
