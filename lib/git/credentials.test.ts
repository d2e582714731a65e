// Deploy keys checked by ssh-keygen itself, and credentials handed to git only through the environment and a 0600
// file that is gone afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  generateDeployKey,
  prepareCredentials,
  refusedCredentials,
  sanitizeKeyComment,
  SSH_COMMAND,
  TOKEN_USERNAMES,
  tokenCredentials,
  type GitCredentials,
} from './credentials';
import { GitError } from './run';

const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const SSH = '/usr/bin/ssh';
// Install with `apt-get install -y openssh-client`; without it only the format's own checks run.
const noKeygen = existsSync(SSH_KEYGEN) ? false : 'ssh-keygen is not installed (apt-get install -y openssh-client)';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'slipway-keys-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateDeployKey', () => {
  it('makes an ed25519 key in OpenSSH formats', () => {
    const key = generateDeployKey('slipway deploy acme/api');
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} slipway deploy acme\/api$/);
    expect(key.privateKey).toMatch(
      /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,70}\n)+-----END OPENSSH PRIVATE KEY-----\n$/,
    );
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(generateDeployKey('x').publicKey).not.toBe(generateDeployKey('x').publicKey);
  });

  it.skipIf(noKeygen)('is read by ssh-keygen: same public key and fingerprint', async () => {
    const key = generateDeployKey('slipway@panel app-1');
    const file = path.join(root, 'id_ed25519');
    await writeFile(file, key.privateKey, { mode: 0o600 });
    const derived = execFileSync(SSH_KEYGEN, ['-y', '-f', file]).toString().trim().split(' ');
    expect(derived.slice(0, 2).join(' ')).toBe(key.publicKey.split(' ').slice(0, 2).join(' '));
    const listed = execFileSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', file]).toString().trim();
    expect(listed).toBe(`256 ${key.fingerprint} slipway@panel app-1 (ED25519)`);
    await writeFile(`${file}.pub`, `${key.publicKey}\n`);
    expect(execFileSync(SSH_KEYGEN, ['-l', '-f', `${file}.pub`]).toString()).toContain(key.fingerprint);
  });

  it.each([
    ['a\nssh-ed25519 AAAA evil', 'a ssh-ed25519 AAAA evil'],
    ['tab\there\r\n', 'tab here'],
    ['nul\u0000bell\u0007', 'nul bell'],
    ['é-ü', '-'],
    ['   ', 'slipway'],
    ['x'.repeat(500), 'x'.repeat(100)],
  ])('keeps the comment %j on one printable line', (comment, clean) => {
    expect(sanitizeKeyComment(comment)).toBe(clean);
    expect(generateDeployKey(comment).publicKey.split('\n')).toHaveLength(1);
  });
});

describe('refusedCredentials', () => {
  const token: GitCredentials = { kind: 'token', token: 'ghp_secret123' };
  const key: GitCredentials = { kind: 'ssh-key', privateKey: generateDeployKey('t').privateKey };
  it.each([
    ['https://github.com/acme/api.git', token, null],
    ['http://127.0.0.1:8080/app.git', token, null],
    ['http://localhost/app.git', token, null],
    ['http://github.com/acme/api.git', token, /only sent over https/],
    ['git://github.com/acme/api.git', token, /only sent over https/],
    ['git@github.com:acme/api.git', token, /token works over https only/],
    ['ssh://git@github.com/acme/api.git', token, /token works over https only/],
    ['https://user:pw@github.com/acme/api.git', token, /already carries credentials/],
    ['https://github.com/acme/api.git', { kind: 'token', token: 'a\r\nX-Evil: 1' }, /control characters/],
    ['https://github.com/acme/api.git', { kind: 'token', token: '' }, /empty/],
    ['https://github.com/acme/api.git', { kind: 'token', token: 't', username: 'a:b' }, /user name/],
    ['git@github.com:acme/api.git', key, null],
    ['ssh://git@github.com:22/acme/api.git', key, null],
    ['https://github.com/acme/api.git', key, /deploy key works over SSH only/],
    ['git@github.com:acme/api.git', { kind: 'ssh-key', privateKey: 'not a key' }, /not a private key/],
    ['https://github.com/acme/api.git', null, null],
  ] as const)('%s with %j', (url, credentials, problem) => {
    const refused = refusedCredentials(url, credentials);
    if (problem === null) expect(refused).toBeNull();
    else expect(refused).toMatch(problem);
  });

  it('gives each provider its token user name, and takes another', () => {
    expect(TOKEN_USERNAMES).toMatchObject({ github: 'x-access-token', gitlab: 'oauth2', bitbucket: 'x-token-auth' });
    expect(tokenCredentials('bitbucket', 't')).toEqual({ kind: 'token', token: 't', username: 'x-token-auth' });
    expect(tokenCredentials('gitlab', 't', 'deployer')).toEqual({ kind: 'token', token: 't', username: 'deployer' });
  });
});

describe('prepareCredentials', () => {
  it('puts a token in an http.extraHeader set through the environment, and names it for redaction', async () => {
    const prepared = await prepareCredentials(tokenCredentials('gitlab', 'glpat-s3cret'), {
      repository: 'https://gitlab.com/a/b.git',
    });
    const basic = Buffer.from('oauth2:glpat-s3cret').toString('base64');
    expect(prepared.env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    });
    expect(prepared.secrets).toEqual(['glpat-s3cret', basic]);
    await prepared.cleanup();
  });

  it('refuses a token for an ssh address with a GitError', async () => {
    await expect(
      prepareCredentials({ kind: 'token', token: 't' }, { repository: 'git@github.com:a/b.git' }),
    ).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('https only'),
    });
    await expect(
      prepareCredentials({ kind: 'token', token: 't' }, { repository: 'git@github.com:a/b.git' }),
    ).rejects.toBeInstanceOf(GitError);
  });

  it('writes a key 0600 in a 0700 directory, points a constant ssh command at it, and removes it', async () => {
    const { privateKey } = generateDeployKey('t');
    const prepared = await prepareCredentials(
      { kind: 'ssh-key', privateKey: privateKey.replace(/\n/g, '\r\n').trim() },
      { repository: 'git@github.com:a/b.git' },
    );
    const { SLIPWAY_SSH_KEY: key = '', SLIPWAY_KNOWN_HOSTS: knownHosts = '' } = prepared.env;
    expect(prepared.env.GIT_SSH_COMMAND).toBe(SSH_COMMAND);
    expect(prepared.env.SLIPWAY_SSH_STRICT).toBe('accept-new');
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(key))).mode & 0o777).toBe(0o700);
    expect(path.dirname(knownHosts)).toBe(path.dirname(key));
    expect(await readFile(key, 'utf8')).toBe(privateKey);
    expect(JSON.stringify(prepared.env)).not.toContain('PRIVATE KEY');
    await prepared.cleanup();
    expect(existsSync(path.dirname(key))).toBe(false);
    await prepared.cleanup();
  });

  it('pins the host key when known_hosts lines are given', async () => {
    const { privateKey } = generateDeployKey('t');
    const line = 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    const prepared = await prepareCredentials(
      { kind: 'ssh-key', privateKey, knownHosts: line },
      { repository: 'git@github.com:a/b.git' },
    );
    expect(prepared.env.SLIPWAY_SSH_STRICT).toBe('yes');
    expect(await readFile(prepared.env.SLIPWAY_KNOWN_HOSTS ?? '', 'utf8')).toBe(`${line}\n`);
    await prepared.cleanup();
  });

  it.skipIf(!existsSync(SSH) && 'ssh is not installed (apt-get install -y openssh-client)')(
    'gives ssh the key and known_hosts through the environment, as git runs the command (ssh -G)',
    async () => {
      const { privateKey } = generateDeployKey('t');
      const prepared = await prepareCredentials(
        { kind: 'ssh-key', privateKey },
        { repository: 'git@github.com:a/b.git' },
      );
      try {
        const command = prepared.env.GIT_SSH_COMMAND ?? '';
        // git runs GIT_SSH_COMMAND as `sh -c '<command> "$@"' <command> <args…>`.
        const config = execFileSync('sh', ['-c', `${command} "$@"`, command, '-G', 'example.com'], {
          env: { NODE_ENV: 'test', PATH: '/usr/bin:/bin', ...prepared.env },
          stdio: ['ignore', 'pipe', 'ignore'],
        }).toString();
        expect(config).toContain(`identityfile ${prepared.env.SLIPWAY_SSH_KEY}\n`);
        expect(config).toContain(`userknownhostsfile ${prepared.env.SLIPWAY_KNOWN_HOSTS}\n`);
        expect(config).toMatch(/^identitiesonly yes$/m);
        expect(config).toMatch(/^batchmode yes$/m);
        expect(config).toMatch(/^stricthostkeychecking accept-new$/m);
      } finally {
        await prepared.cleanup();
      }
    },
  );
});
