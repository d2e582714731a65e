import { describe, expect, it } from 'vitest';

import { DEFAULT_SOCKET, dockerOptions } from './client';

describe('dockerOptions', () => {
  it.each([
    [undefined, { socketPath: DEFAULT_SOCKET }],
    ['', { socketPath: DEFAULT_SOCKET }],
    ['unix:///run/user/1000/docker.sock', { socketPath: '/run/user/1000/docker.sock' }],
    ['tcp://10.0.0.5:2375', { host: '10.0.0.5', port: 2375, protocol: 'http' }],
    ['tcp://docker.internal', { host: 'docker.internal', port: 2375, protocol: 'http' }],
    ['https://docker.internal:2376', { host: 'docker.internal', port: 2376, protocol: 'https' }],
    ['tcp://[::1]:2375', { host: '::1', port: 2375, protocol: 'http' }],
  ])('reads %j', (host, expected) => {
    expect(dockerOptions(host)).toEqual(expected);
  });

  it.each(['unix://relative.sock', 'ssh://user@host', 'docker.sock', 'npipe:////./pipe/docker_engine', 'tcp://'])(
    'refuses %j',
    (host) => {
      expect(() => dockerOptions(host)).toThrow(expect.objectContaining({ code: 'invalid' }));
    },
  );
});
