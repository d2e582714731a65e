// Credentials for git that never appear in argv, a URL or a log line: a token travels as an http.extraHeader set
// through GIT_CONFIG_* environment variables, a deploy key as a 0600 file whose path ssh reads from the environment.
// Also makes deploy keys (ed25519, OpenSSH's own file format) with node:crypto alone.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { GIT_PROVIDERS } from '@/lib/validation/application';

import { isSshUrl } from './repository-url';
import { GitError } from './run';

export type GitProvider = (typeof GIT_PROVIDERS)[number];

export type GitCredentials =
  | { kind: 'token'; token: string; username?: string }
  /** `knownHosts` (lines of a known_hosts file) pins the server's key; without it the first key seen is accepted. */
  | { kind: 'ssh-key'; privateKey: string; knownHosts?: string }
  | null;

export type PreparedCredentials = {
  /** Added to git's environment. */
  env: Record<string, string>;
  /** Values to scrub from every line git prints (the token and its Basic form). */
  secrets: string[];
  /** Removes the key file's directory; safe to call twice. */
  cleanup: () => Promise<void>;
};

/** The user name each provider expects beside a token in HTTP Basic auth (Gitea accepts any). */
export const TOKEN_USERNAMES: Record<GitProvider, string> = {
  github: 'x-access-token',
  gitlab: 'oauth2',
  bitbucket: 'x-token-auth',
  gitea: 'oauth2',
};

/** A token credential with the provider's user name unless another is given. */
export function tokenCredentials(
  provider: GitProvider,
  token: string,
  username: string = TOKEN_USERNAMES[provider],
): GitCredentials {
  return { kind: 'token', token, username };
}

/**
 * ssh runs through a shell (git's GIT_SSH_COMMAND), so this string is a constant: the key's path and the known_hosts
 * file come in as environment variables set by us, and no value from a user is ever part of the command.
 */
export const SSH_COMMAND =
  'ssh -i "$SLIPWAY_SSH_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking="$SLIPWAY_SSH_STRICT" ' +
  '-o UserKnownHostsFile="$SLIPWAY_KNOWN_HOSTS"';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const PRIVATE_KEY =
  /^-----BEGIN ([A-Z0-9]+ )?PRIVATE KEY-----\n[A-Za-z0-9+/=:,\-\n ]+\n-----END ([A-Z0-9]+ )?PRIVATE KEY-----\n$/;

/** Why these credentials must not be used with this repository, or null. */
export function refusedCredentials(repository: string, credentials: GitCredentials | undefined): string | null {
  if (!credentials) return null;
  if (credentials.kind === 'ssh-key') {
    if (!isSshUrl(repository))
      return 'A deploy key works over SSH only: use the SSH address (git@host:owner/name.git).';
    if (credentials.privateKey.length > 16_384 || !PRIVATE_KEY.test(normalizeKey(credentials.privateKey))) {
      return 'The deploy key is not a private key in OpenSSH or PEM format.';
    }
    return null;
  }
  if (isSshUrl(repository))
    return 'A token works over https only: use the https:// address, or a deploy key for this SSH address.';
  let url: URL;
  try {
    url = new URL(repository);
  } catch {
    return 'A token works over https only: use the https:// address of the repository.';
  }
  // A token over plain http is readable by anyone on the path; loopback never leaves the machine (tests, a local mirror).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    return 'A token is only sent over https (over plain http or git:// anyone on the network could read it): use the https:// address.';
  }
  if (url.username || url.password)
    return 'The address already carries credentials: remove them from it and keep only the token.';
  if (!credentials.token || /[\s\p{Cc}]/u.test(credentials.token) || credentials.token.length > 4096) {
    return 'The token is empty or has spaces or control characters: paste it again.';
  }
  const username = credentials.username ?? TOKEN_USERNAMES.github;
  if (!username || /[:\s\p{Cc}]/u.test(username))
    return 'The token’s user name cannot be empty or contain “:”, spaces or control characters.';
  return null;
}

/** Environment and cleanup for git to use `credentials` with `repository`; throws a GitError when refused. */
export async function prepareCredentials(
  credentials: GitCredentials | undefined,
  { repository }: { repository: string },
): Promise<PreparedCredentials> {
  const refused = refusedCredentials(repository, credentials);
  if (refused) throw new GitError('refused', refused);
  if (!credentials) return { env: {}, secrets: [], cleanup: async () => {} };
  if (credentials.kind === 'token') {
    const basic = Buffer.from(`${credentials.username ?? TOKEN_USERNAMES.github}:${credentials.token}`).toString(
      'base64',
    );
    return {
      env: {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
      },
      secrets: [credentials.token, basic],
      cleanup: async () => {},
    };
  }
  // mkdtemp makes the directory 0700; the key is written 0600 and only ever named by path.
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-ssh-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const key = path.join(dir, 'id');
    const knownHosts = path.join(dir, 'known_hosts');
    await writeFile(key, normalizeKey(credentials.privateKey), { mode: 0o600, flag: 'wx' });
    await writeFile(knownHosts, credentials.knownHosts ? `${credentials.knownHosts.trim()}\n` : '', {
      mode: 0o600,
      flag: 'wx',
    });
    return {
      env: {
        GIT_SSH_COMMAND: SSH_COMMAND,
        SLIPWAY_SSH_KEY: key,
        SLIPWAY_KNOWN_HOSTS: knownHosts,
        SLIPWAY_SSH_STRICT: credentials.knownHosts ? 'yes' : 'accept-new',
      },
      secrets: [],
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

// A pasted key often has CRLF line ends or lacks the final newline, which ssh rejects as "invalid format".
function normalizeKey(key: string): string {
  return `${key.replace(/\r\n?/g, '\n').trim()}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Deploy keys: ed25519, written in the openssh-key-v1 format (PROTOCOL.key in OpenSSH's sources), unencrypted.

export type DeployKey = {
  /** `ssh-ed25519 AAAA… comment`, for the provider's deploy-key form. */
  publicKey: string;
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` …, unencrypted. */
  privateKey: string;
  /** `SHA256:…` (base64 without padding), as `ssh-keygen -l` and the providers show it. */
  fingerprint: string;
};

const sshString = (value: string | Buffer) => {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
};

const uint32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};

/** One printable-ASCII line: the comment ends the public key line, so a newline in it would forge another. */
export function sanitizeKeyComment(comment: string): string {
  return (
    comment
      .replace(/[^\x20-\x7e]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 100)
      .trim() || 'slipway'
  );
}

export function generateDeployKey(comment: string): DeployKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  const d = privateKey.export({ format: 'jwk' }).d;
  if (!x || !d) throw new Error('node:crypto did not export the ed25519 key as JWK.');
  const pub = Buffer.from(x, 'base64url');
  const seed = Buffer.from(d, 'base64url');
  const clean = sanitizeKeyComment(comment);
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);

  const check = randomBytes(4);
  const secret = [
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(clean),
  ];
  const unpadded = Buffer.concat(secret);
  // Padding 1, 2, 3, … up to the cipher's block size (8 for "none").
  const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'binary'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(blob),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${clean}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}
