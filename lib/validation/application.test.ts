import { describe, expect, it } from 'vitest';

import { BIG, CYRILLIC_A, itParses, ZWSP } from '@/lib/testing/schema-cases';

import {
  applicationNameSchema,
  applicationSourceSchema,
  buildContextSchema,
  createApplicationSchema,
  deploymentCursorSchema,
  dockerfilePathSchema,
  encodeDeploymentCursor,
  gitBranchSchema,
  gitProviderSchema,
  gitRepositorySchema,
  imageReferenceSchema,
  replicasSchema,
  updateGeneralSchema,
} from './application';

const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('applicationNameSchema', () => {
  itParses(
    applicationNameSchema,
    [['api'], ['web-frontend'], ['a'], ['a1-b2'], ['x'.repeat(63)]],
    [
      '',
      'Api',
      'api;rm',
      'api\nx',
      'a..b',
      `ap${CYRILLIC_A}i`,
      `api${ZWSP}`,
      BIG,
      '-api',
      'api-',
      'my_app',
      'my.app',
      'a b',
      'x'.repeat(64),
      42,
    ],
  );
});

describe('imageReferenceSchema', () => {
  itParses(
    imageReferenceSchema,
    [
      ['nginx'],
      ['nginx:1.27-alpine'],
      ['library/nginx:latest'],
      ['ghcr.io/acme/api:v2'],
      ['registry.example.com:5000/team/app'],
      ['localhost:5000/app:dev'],
      [`nginx@${DIGEST}`],
      [`ghcr.io/acme/api:v2@${DIGEST}`],
      ['my-registry.io/a/b/c_d/e__f/g.h:TAG_1.0-rc'],
      [`a:${'t'.repeat(128)}`],
    ],
    [
      '',
      'nginx;rm -rf /',
      'nginx && id',
      'nginx|sh',
      '$(id)',
      'nginx`id`',
      'nginx:1.0\n',
      'nginx\n:latest',
      'a/../b',
      `ngin${CYRILLIC_A}x`,
      `nginx${ZWSP}`,
      BIG,
      '-nginx',
      '--help',
      'MyOrg/app',
      'acme/API',
      'nginx:-bad',
      'nginx:.bad',
      `nginx:${'t'.repeat(129)}`,
      'nginx@sha256:abc',
      `nginx@md5:${'a'.repeat(32)}`,
      'nginx:a:b',
      'a b',
      'registry.example.com:99999/app',
      '/nginx',
      'nginx/',
      'a'.repeat(256),
    ],
  );
});

describe('gitProviderSchema', () => {
  itParses(
    gitProviderSchema,
    [['github'], ['gitlab'], ['bitbucket'], ['gitea']],
    ['', 'GitHub', 'git', 'github;id', '-github', `githu${ZWSP}b`, BIG],
  );
});

describe('gitRepositorySchema', () => {
  itParses(
    gitRepositorySchema,
    [
      ['acme/api'],
      ['acme/api.git'],
      ['group/subgroup/project'],
      ['https://github.com/acme/api.git'],
      ['https://gitlab.example.com:8443/group/api'],
      ['git@github.com:acme/api.git'],
      ['ssh://git@git.example.com:2222/acme/api.git'],
    ],
    [
      '',
      'ext::sh -c touch% /tmp/pwned',
      'ext::sh',
      'fd::17',
      'file:///etc/passwd',
      'http://github.com/acme/api',
      'ftp://example.com/repo',
      '-uhttps://evil',
      '--upload-pack=touch /tmp/x',
      'https://user:secret@github.com/acme/api.git',
      'https://token@github.com/acme/api.git',
      'acme/api;id',
      'acme/api && id',
      'acme/$(id)',
      'acme/`id`',
      'acme/api\n',
      'acme/../../etc',
      'git@github.com:../etc',
      `${CYRILLIC_A}cme/api`,
      `acme/api${ZWSP}`,
      BIG,
      'https://github.com/acme/api?x=1',
      'git@-oProxyCommand=id:acme/api',
      'ssh://-oProxyCommand=id/x',
      'just-a-name',
    ],
  );
});

describe('gitBranchSchema', () => {
  itParses(
    gitBranchSchema,
    [['main'], ['feature/login'], ['release-1.0'], ['v1.2.3'], ['a_b'], ['x'.repeat(255)]],
    [
      '',
      'feature..x',
      '..',
      '-f',
      '--orphan',
      '/main',
      'main/',
      'main.lock',
      'a/.hidden',
      'a//b',
      'main.',
      '.main',
      'feat branch',
      'main;id',
      'main$(id)',
      'main`id`',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[b',
      'a\\b',
      'main\n',
      'HEAD@{1}',
      `m${CYRILLIC_A}in`,
      `main${ZWSP}`,
      'x'.repeat(256),
      BIG,
    ],
  );
});

describe('dockerfilePathSchema and buildContextSchema', () => {
  describe('dockerfile', () => {
    itParses(
      dockerfilePathSchema,
      [
        ['', 'Dockerfile'],
        [undefined, 'Dockerfile'],
        ['Dockerfile'],
        ['docker/api.Dockerfile'],
        ['./docker//Dockerfile', 'docker/Dockerfile'],
      ],
      [
        '/etc/passwd',
        '../Dockerfile',
        'a/../../b',
        'docker/',
        '.',
        '-Dockerfile',
        'Docker file',
        'Dockerfile;id',
        'a\nb',
        `D${CYRILLIC_A}`,
        `Dockerfile${ZWSP}`,
        BIG,
      ],
    );
  });
  describe('build context', () => {
    itParses(
      buildContextSchema,
      [['', '.'], ['.'], ['./', '.'], ['services/api/', 'services/api'], ['a/./b', 'a/b']],
      ['/', '/srv', '..', 'a/..', '-x', 'a b', 'a;b', '$(id)', 'a\n', `${CYRILLIC_A}`, ZWSP, BIG],
    );
  });
});

describe('replicasSchema', () => {
  itParses(
    replicasSchema,
    [
      ['0', 0],
      ['3', 3],
      [' 100 ', 100],
      [7, 7],
    ],
    ['', '-1', '101', '1.5', '1e2', '3;id', 'three', `3${ZWSP}`, BIG, 1.5, -1],
  );
});

describe('createApplicationSchema', () => {
  const base = { projectId: '7f1c2a52-8a43-4d1c-9a65-3c1a9e0b2f10', name: 'api' };
  it('reads only the chosen type’s fields and fills git defaults', () => {
    const parsed = createApplicationSchema.parse({
      ...base,
      type: 'git',
      provider: 'github',
      repository: 'acme/api',
      branch: '',
      image: 'ignored;rm',
    });
    expect(parsed).toEqual({
      ...base,
      type: 'git',
      provider: 'github',
      repository: 'acme/api',
      branch: 'main',
      dockerfile: 'Dockerfile',
      buildContext: '.',
    });
  });
  it.each([{ type: '' }, { type: 'kubernetes' }, {}])(
    'refuses a missing or unknown type beside the type field (%j)',
    (extra) => {
      const parsed = createApplicationSchema.safeParse({ ...base, ...extra });
      expect(parsed.error?.issues[0]?.path).toEqual(['type']);
    },
  );
  it('refuses a project id that is not a uuid', () => {
    expect(
      createApplicationSchema.safeParse({ ...base, projectId: "1' OR '1'='1", type: 'docker', image: 'nginx' }).success,
    ).toBe(false);
  });
  it('puts each problem beside its field', () => {
    const parsed = createApplicationSchema.safeParse({
      ...base,
      name: 'Bad Name',
      type: 'git',
      provider: 'github',
      repository: 'acme/api',
      branch: 'feature..x',
    });
    expect(parsed.error?.issues.map((issue) => issue.path[0]).sort()).toEqual(['branch', 'name']);
  });
  it('asks for a full address for Gitea, which has no public host for owner/name', () => {
    const gitea = { type: 'git', provider: 'gitea', branch: 'main' };
    for (const schema of [applicationSourceSchema, createApplicationSchema]) {
      const parsed = schema.safeParse({ ...base, ...gitea, repository: 'acme/api' });
      expect(parsed.error?.issues.map((issue) => [issue.path[0], issue.message])).toEqual([
        ['repository', expect.stringContaining('https://gitea.example.com/acme/api.git')],
      ]);
      expect(schema.safeParse({ ...base, ...gitea, repository: 'https://git.example.com/acme/api.git' }).success).toBe(
        true,
      );
      expect(schema.safeParse({ ...base, ...gitea, provider: 'github', repository: 'acme/api' }).success).toBe(true);
    }
  });
  it('validates compose files through the compose schema', () => {
    expect(
      applicationSourceSchema.safeParse({ type: 'compose', compose: 'services:\n  web:\n    image: nginx\n' }).success,
    ).toBe(true);
    expect(applicationSourceSchema.safeParse({ type: 'compose', compose: 'services: []' }).success).toBe(false);
  });
});

describe('updateGeneralSchema', () => {
  it('refuses an application id that is not a uuid', () => {
    expect(updateGeneralSchema.safeParse({ applicationId: '../../etc', name: 'api', replicas: '1' }).success).toBe(
      false,
    );
  });
});

describe('deploymentCursorSchema', () => {
  const id = '7f1c2a52-8a43-4d1c-9a65-3c1a9e0b2f10';
  const good = encodeDeploymentCursor({ startedAt: '2025-01-02T03:04:05.123456Z', id });
  itParses(
    deploymentCursorSchema,
    [[good, { startedAt: '2025-01-02T03:04:05.123456Z', id }]],
    [
      '',
      'not base64!',
      encodeDeploymentCursor({ startedAt: '2025-01-02T03:04:05.123Z', id }),
      encodeDeploymentCursor({ startedAt: "2025'; DROP TABLE deployments;--", id }),
      encodeDeploymentCursor({ startedAt: '2025-01-02T03:04:05.123456Z', id: 'x' }),
      Buffer.from('{"a":1}').toString('base64url'),
      'A'.repeat(201),
    ],
  );
});
