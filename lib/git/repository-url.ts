// The URL git fetches for an application's repository: `owner/name` made into the provider's https address, full
// addresses as they were given (checkout refuses the ones git must not be pointed at).
import type { GIT_PROVIDERS } from '@/lib/validation/application';

import { GitError } from './run';

type GitProvider = (typeof GIT_PROVIDERS)[number];

const HOSTS: Record<Exclude<GitProvider, 'gitea'>, string> = {
  github: 'https://github.com',
  gitlab: 'https://gitlab.com',
  bitbucket: 'https://bitbucket.org',
};

const NAMES: Record<GitProvider, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  bitbucket: 'Bitbucket',
  gitea: 'Gitea',
};

// lib/validation's shorthand: owner/name, or group/subgroup/name on GitLab.
const SHORTHAND = /^[A-Za-z0-9][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/;
const GITEA_HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$/i;

/** Whether git reaches this address over SSH: `ssh://…` or the scp-like `[user@]host:path`. */
export function isSshUrl(url: string): boolean {
  if (/^(?:ssh|git\+ssh|ssh\+git):\/\//i.test(url)) return true;
  // git's own rule: a colon before any slash, not followed by "//" (a URL) or ":" (a remote helper like ext::).
  return /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9._-]+:(?!\/\/|:)/.test(url);
}

/** Whether `repository` is the `owner/name` shorthand rather than an address. */
export function isShorthand(repository: string): boolean {
  return SHORTHAND.test(repository) && !repository.includes('//') && !repository.split('/').includes('..');
}

/**
 * The URL git fetches: `owner/name` becomes `https://github.com/owner/name.git` (GitLab, Bitbucket alike; Gitea
 * needs `giteaHost`, there being no public Gitea), anything else is returned unchanged.
 */
export function cloneUrl(provider: GitProvider, repository: string, options: { giteaHost?: string } = {}): string {
  if (!isShorthand(repository)) return repository;
  const path = repository.endsWith('.git') ? repository : `${repository}.git`;
  const segments = repository.split('/').length;
  if ((provider === 'github' || provider === 'bitbucket' || provider === 'gitea') && segments !== 2) {
    throw new GitError(
      'refused',
      `${NAMES[provider]} repositories are owner/name: “${repository}” has ${segments} parts. Give owner/name or the full https:// address.`,
    );
  }
  if (provider !== 'gitea') return `${HOSTS[provider]}/${path}`;
  const host = options.giteaHost?.replace(/\/+$/, '');
  if (!host) {
    throw new GitError(
      'refused',
      `Gitea has no public server, so “${repository}” does not say where the repository is: give its full address, like https://gitea.example.com/${repository}.git.`,
    );
  }
  if (/^https:\/\/[^/@\s]+(\/[^\s]*)?$/i.test(host)) return `${host}/${path}`;
  if (GITEA_HOST.test(host)) return `https://${host}/${path}`;
  throw new GitError('refused', `The Gitea server “${host}” is not a host name or an https:// address.`);
}
