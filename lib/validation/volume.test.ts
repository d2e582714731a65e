import { describe, expect, it } from 'vitest';

import {
  attachVolumeSchema,
  createVolumeSchema,
  mountPathSchema,
  volumeNameSchema,
  volumeOwnerSchema,
  volumeSizeSchema,
  volumeTypeSchema,
} from './volume';

const APP = '3f2b8c1e-7a4d-4e2f-9b1a-0c5d6e7f8a9b';
const firstMessage = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues[0]?.message ?? '';

describe('mount paths', () => {
  it.each([
    '/data',
    '/var/lib/postgresql/data',
    '/app/uploads',
    '/srv/my-app_v2.1',
    '/etc/nginx/conf.d', // beneath an exact-only system path
    '/usr/share/nginx/html',
    '/var/lib/dockerish', // a sibling of /var/lib/docker, not beneath it
    '/runner', // a sibling of /run
    '/devices',
    '/.config', // dot-files are names, not . segments
    '/data/...',
    '/data/..hidden',
    '/a@b+c=d',
    `/${'a'.repeat(499)}`, // exactly 500 characters
  ])('accepts %j', (path) => {
    expect(mountPathSchema.safeParse(path).success).toBe(true);
  });

  it.each<[string, string, RegExp]>([
    ['empty', '', /Give a mount path/],
    ['relative', 'data', /relative/],
    ['relative with ./', './data', /relative/],
    ['home shorthand', '~/data', /cannot contain “~”/],
    ['root', '/', /system path/],
    ['parent segment escaping', '/data/../etc', /\. or \.\. segments/],
    ['leading parent segment', '/../etc', /\. or \.\. segments/],
    ['trailing parent segment', '/data/..', /\. or \.\. segments/],
    ['dot segment', '/data/./x', /\. or \.\. segments/],
    ['double slash', '/data//x', /\/\//],
    ['leading double slash', '//data', /\/\//],
    ['trailing slash', '/data/', /trailing slash.*\/data\./],
    ['newline', '/data\n', /cannot contain a line break\./],
    ['carriage return (a typed Enter, sent as CRLF)', '/data\r/x', /cannot contain a line break\./],
    ['NUL', '/data\0', /cannot contain a NUL character\./],
    ['tab', '/da\tta', /cannot contain a tab\./],
    ['space', '/my data', /a space/],
    ['command substitution', '/$(reboot)', /cannot contain “\$”/],
    ['backticks', '/`reboot`', /cannot contain “`”/],
    ['semicolon', '/data;rm -rf /', /cannot contain “;”/],
    ['pipe', '/data|sh', /cannot contain “\|”/],
    ['ampersand', '/data&&x', /cannot contain “&”/],
    ['colon (short volume syntax separator)', '/data:ro', /cannot contain “:”/],
    ['comma (--mount separator)', '/data,readonly', /cannot contain “,”/],
    ['backslash', '/data\\x', /cannot contain “\\”/],
    ['quote', "/data'", /cannot contain “'”/],
    ['unicode division slash look-alike', '/data∕..∕etc', /cannot contain “∕” \(U\+2215\)/],
    ['fullwidth solidus', '／data', /cannot contain “／” \(U\+FF0F\)/],
    ['Cyrillic а', '/dаta', /cannot contain “а” \(U\+0430\)/],
    ['zero-width space', '/da\u200bta', /cannot contain the invisible character U\+200B\./],
    ['right-to-left override', '/data\u202e', /cannot contain the invisible character U\+202E\./],
    ['64 KB', `/${'a'.repeat(64 * 1024)}`, /too long/],
    ['501 characters', `/${'a'.repeat(500)}`, /too long/],
    ['option-looking', '-v', /relative/],
    ['/proc', '/proc', /\/proc and everything beneath it is a system path/],
    ['beneath /proc', '/proc/self/root', /\/proc and everything beneath/],
    ['/sys', '/sys/fs/cgroup', /\/sys and everything beneath/],
    ['/dev', '/dev', /\/dev and everything beneath/],
    ['/dev/shm', '/dev/shm', /\/dev and everything beneath/],
    ['/etc', '/etc', /^\/etc is a system path/],
    ['/bin', '/bin', /system path/],
    ['/sbin', '/sbin', /system path/],
    ['/lib', '/lib', /system path/],
    ['/lib64', '/lib64', /system path/],
    ['/usr', '/usr', /system path/],
    ['/boot', '/boot', /system path/],
    ['/run', '/run', /\/run and everything beneath/],
    ['/run/secrets (Swarm secrets)', '/run/secrets', /\/run and everything beneath/],
    ['/run/docker.sock', '/run/docker.sock', /\/run and everything beneath/],
    ['/var/run', '/var/run', /\/var\/run and everything beneath/],
    ['/var/run/docker.sock', '/var/run/docker.sock', /\/var\/run and everything beneath/],
    ['/var/lib/docker', '/var/lib/docker', /\/var\/lib\/docker and everything beneath/],
    ['beneath /var/lib/docker', '/var/lib/docker/volumes', /\/var\/lib\/docker and everything beneath/],
    ['docker.sock anywhere', '/tmp/docker.sock', /Docker socket/],
  ])('refuses %s', (_label, path, message) => {
    expect(firstMessage(mountPathSchema.safeParse(path))).toMatch(message);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, ['/data'], { path: '/data' }]) {
      expect(mountPathSchema.safeParse(value).success).toBe(false);
    }
  });
});

describe('volume names, types and sizes', () => {
  it.each(['data', 'pg-data', 'app_uploads.v2', 'A1', 'x'.repeat(255)])('accepts the name %j', (name) => {
    expect(volumeNameSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    ['one character', 'd'],
    ['leading hyphen (option-looking)', '-rf'],
    ['leading dot', '.data'],
    ['slash', 'data/x'],
    ['dot-dot', '../data'],
    ['space', 'my data'],
    ['newline', 'data\n'],
    ['shell', 'data;reboot'],
    ['command substitution', '$(reboot)'],
    ['Cyrillic а', 'dаta'],
    ['zero-width space', 'da\u200bta'],
    ['256 characters', 'x'.repeat(256)],
    ['64 KB', 'x'.repeat(64 * 1024)],
  ])('refuses the name: %s', (_label, name) => {
    expect(volumeNameSchema.safeParse(name).success).toBe(false);
  });

  it.each(['docker_volume', 'nfs', 's3'])('accepts the type %s', (type) => {
    expect(volumeTypeSchema.safeParse(type).success).toBe(true);
  });

  it.each(['', 'NFS', 'bind', 'tmpfs', 'nfs ', 's3;x'])('refuses the type %j', (type) => {
    expect(volumeTypeSchema.safeParse(type).success).toBe(false);
  });

  it.each<[unknown, number]>([
    ['1', 1],
    [' 20 ', 20],
    ['10240', 10240],
    [5, 5],
  ])('reads the size %j as %d GB', (input, size) => {
    expect(volumeSizeSchema.parse(input)).toBe(size);
  });

  it.each([
    '',
    '0',
    '-1',
    '10241',
    '1.5',
    '1e3',
    '0x10',
    '5GB',
    '5;reboot',
    '１０',
    'Infinity',
    'NaN',
    1.5,
    0,
    -3,
    Infinity,
    NaN,
    null,
  ])('refuses the size %j, saying the range', (input) => {
    expect(firstMessage(volumeSizeSchema.safeParse(input))).toMatch(/whole number of GB from 1 to 10240/);
  });
});

describe('owners and whole forms', () => {
  it('reads an owner field, blank as detached', () => {
    expect(volumeOwnerSchema.parse(`application:${APP}`)).toEqual({ kind: 'application', id: APP });
    expect(volumeOwnerSchema.parse(`database:${APP.toUpperCase()}`)).toEqual({ kind: 'database', id: APP });
    expect(volumeOwnerSchema.parse('')).toBeNull();
    expect(volumeOwnerSchema.parse(undefined)).toBeNull();
  });

  it.each([
    `project:${APP}`,
    'application:',
    `application:${APP}x`,
    `application:${APP};x`,
    APP,
    `application: ${APP}`,
  ])('refuses the owner %j', (owner) => {
    expect(volumeOwnerSchema.safeParse(owner).success).toBe(false);
  });

  it('reports every bad field of a create form by name', () => {
    const result = createVolumeSchema.safeParse({
      projectId: 'x',
      owner: '',
      name: '-x',
      type: 'bind',
      sizeGb: '0',
      mountPath: '/etc',
    });
    expect(new Set(result.error?.issues.map((issue) => issue.path[0]))).toEqual(
      new Set(['projectId', 'name', 'type', 'sizeGb', 'mountPath']),
    );
  });

  it('attaching needs an owner and keeps the mount path optional', () => {
    const base = { projectId: APP, volumeId: APP };
    expect(attachVolumeSchema.safeParse({ ...base, owner: '', mountPath: '' }).error?.issues[0]?.path).toEqual([
      'owner',
    ]);
    expect(attachVolumeSchema.parse({ ...base, owner: `application:${APP}`, mountPath: '' }).mountPath).toBeUndefined();
    expect(attachVolumeSchema.parse({ ...base, owner: `application:${APP}`, mountPath: '/srv' }).mountPath).toBe(
      '/srv',
    );
    expect(
      attachVolumeSchema.safeParse({ ...base, owner: `application:${APP}`, mountPath: '/data/../etc' }).success,
    ).toBe(false);
  });
});
