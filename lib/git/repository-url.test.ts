// cloneUrl and isSshUrl: the address git fetches for each provider and form of repository.
import { describe, expect, it } from 'vitest';

import { cloneUrl, isShorthand, isSshUrl } from './repository-url';
import { GitError } from './run';

describe('cloneUrl', () => {
  it.each([
    ['github', 'acme/api', 'https://github.com/acme/api.git'],
    ['github', 'acme/api.git', 'https://github.com/acme/api.git'],
    ['gitlab', 'acme/api', 'https://gitlab.com/acme/api.git'],
    ['gitlab', 'acme/platform/api', 'https://gitlab.com/acme/platform/api.git'],
    ['bitbucket', 'acme/api', 'https://bitbucket.org/acme/api.git'],
    ['github', 'https://github.com/acme/api.git', 'https://github.com/acme/api.git'],
    ['gitlab', 'https://gitlab.example.com/acme/api', 'https://gitlab.example.com/acme/api'],
    ['github', 'git@github.com:acme/api.git', 'git@github.com:acme/api.git'],
    ['gitea', 'ssh://git@gitea.example.com:2222/acme/api.git', 'ssh://git@gitea.example.com:2222/acme/api.git'],
    ['gitea', 'https://gitea.example.com/acme/api.git', 'https://gitea.example.com/acme/api.git'],
  ] as const)('%s %s → %s', (provider, repository, url) => {
    expect(cloneUrl(provider, repository)).toBe(url);
  });

  it.each([
    ['gitea.example.com', 'https://gitea.example.com/acme/api.git'],
    ['gitea.example.com:3000', 'https://gitea.example.com:3000/acme/api.git'],
    ['https://code.example.com/gitea/', 'https://code.example.com/gitea/acme/api.git'],
  ])('makes a Gitea owner/name into an address on %s', (giteaHost, url) => {
    expect(cloneUrl('gitea', 'acme/api', { giteaHost })).toBe(url);
  });

  it('asks for a full address for a Gitea owner/name without a server', () => {
    expect(() => cloneUrl('gitea', 'acme/api')).toThrow(GitError);
    expect(() => cloneUrl('gitea', 'acme/api')).toThrow(
      /full address, like https:\/\/gitea\.example\.com\/acme\/api\.git/,
    );
  });

  it.each([
    ['gitea', 'acme/api', 'http://gitea.example.com', /not a host name or an https/],
    ['gitea', 'acme/api', 'gitea.example.com/$(id)', /not a host name or an https/],
    ['github', 'acme/platform/api', undefined, /GitHub repositories are owner\/name/],
    ['bitbucket', 'a/b/c', undefined, /Bitbucket repositories are owner\/name/],
  ] as const)('refuses %s %s (server %s)', (provider, repository, giteaHost, message) => {
    expect(() => cloneUrl(provider, repository, giteaHost ? { giteaHost } : {})).toThrow(message);
  });
});

describe('isSshUrl', () => {
  it.each([
    ['git@github.com:acme/api.git', true],
    ['deploy@gitea.example.com:/srv/acme/api.git', true],
    ['ssh://git@gitlab.com/acme/api.git', true],
    ['SSH://git@gitlab.com:2222/acme/api.git', true],
    ['github.com:acme/api.git', true],
    ['https://github.com/acme/api.git', false],
    ['http://127.0.0.1:8080/app.git', false],
    ['git://127.0.0.1/app.git', false],
    ['acme/api', false],
    ['ext::sh -c id', false],
    ['/srv/repo.git', false],
  ])('%s → %s', (url, ssh) => {
    expect(isSshUrl(url)).toBe(ssh);
  });
});

describe('isShorthand', () => {
  it.each([
    ['acme/api', true],
    ['acme/platform/api', true],
    ['acme', false],
    ['acme/../etc', false],
    ['https://github.com/acme/api', false],
    ['git@github.com:acme/api.git', false],
  ])('%s → %s', (value, shorthand) => {
    expect(isShorthand(value)).toBe(shorthand);
  });
});
