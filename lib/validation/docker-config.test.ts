import { describe, expect, it } from 'vitest';

import { BIG, CYRILLIC_A, itParses, ZWSP } from '@/lib/testing/schema-cases';

import {
  commandSchema,
  dockerConfigSchema,
  entrypointSchema,
  healthcheckIntervalSchema,
  healthcheckRetriesSchema,
  healthcheckStartPeriodSchema,
  healthcheckTestSchema,
  healthcheckTimeoutSchema,
  networkNameSchema,
  networksSchema,
  portSchema,
} from './docker-config';
import { dockerConfigFromForm, dockerConfigToForm, fieldErrorsByPath } from './docker-config-form';
import { cpusSchema, memorySchema, parseDuration } from './units';

describe('portSchema', () => {
  itParses(
    portSchema,
    [
      [{ target: 80 }, { target: 80, protocol: 'tcp', mode: 'ingress' }],
      [{ target: 8080, published: 80, protocol: 'udp', mode: 'host' }],
      [{ target: 65535, published: 1, protocol: 'sctp' }],
    ],
    [
      { target: 0 },
      { target: 65536 },
      { target: 80, published: 0 },
      { target: 80, published: 70000 },
      { target: 80.5 },
      { target: '80;id' },
      { target: 80, protocol: 'icmp' },
      { target: 80, protocol: 'tcp\n' },
      { target: 80, mode: 'global' },
      { target: 80, mode: '-host' },
      { target: 80, extra: 'x' },
      { target: BIG },
    ],
  );
});

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1h2m3s4ms', 3_723_004],
  ])('parses %s', (value, ms) => expect(parseDuration(value)).toBe(ms));

  describe('interval (1s to 1h)', () => {
    itParses(
      healthcheckIntervalSchema,
      [
        ['30s', '30s'],
        ['90s', '1m30s'],
        ['1m30s', '1m30s'],
        [' 1h ', '1h'],
        ['1s', '1s'],
      ],
      [
        '',
        '0s',
        '500ms',
        '2h',
        '30',
        '30 s',
        '1s30m',
        's',
        '-30s',
        '30s;id',
        '30s\n',
        `3${ZWSP}0s`,
        `30${CYRILLIC_A}`,
        '1.5s',
        BIG,
      ],
    );
  });
  describe('timeout (100ms to 1h)', () => {
    itParses(
      healthcheckTimeoutSchema,
      [
        ['5s', '5s'],
        ['100ms', '100ms'],
        ['1500ms', '1s500ms'],
      ],
      ['50ms', '61m', 'soon', '$(sleep 9)s'],
    );
  });
  describe('start period (0 to 1h)', () => {
    itParses(
      healthcheckStartPeriodSchema,
      [
        ['0s', '0s'],
        ['2m', '2m'],
      ],
      ['1h1s', '-1s', '1d', '..'],
    );
  });
});

describe('healthcheckRetriesSchema', () => {
  itParses(healthcheckRetriesSchema, [[0], [3], [100]], [-1, 101, 1.5, '3', '3;id', NaN]);
});

describe('healthcheckTestSchema', () => {
  itParses(
    healthcheckTestSchema,
    [
      [['CMD', 'curl', '-f', 'http://localhost/']],
      // A shell command runs in the container's own shell: its metacharacters are the point, not an injection.
      [['CMD-SHELL', 'curl -f http://localhost/ || exit 1']],
      [['CMD', 'sh', '-c', 'test -f /tmp/ok; echo $?']],
      [['NONE']],
    ],
    [
      [],
      ['CMD'],
      ['SHELL', 'x'],
      ['cmd', 'curl'],
      ['NONE', 'curl'],
      ['CMD-SHELL', 'a', 'b'],
      ['CMD', '-f', 'http://x'],
      ['CMD', '--help'],
      ['CMD', 'curl\nrm -rf /'],
      ['CMD-SHELL', 'curl x\nrm -rf /'],
      ['CMD', `curl${ZWSP}`],
      ['CMD', ''],
      ['CMD', BIG],
      ['CMD', ...Array.from({ length: 65 }, () => 'x')],
      'CMD curl',
    ],
  );
  it('accepts look-alike letters as data (they reach no shell on the host and cannot hide)', () => {
    expect(healthcheckTestSchema.safeParse(['CMD', `${CYRILLIC_A}pp`]).success).toBe(true);
  });
});

describe('entrypointSchema and commandSchema (argv, handed to Docker as data)', () => {
  const hostile = [
    ['a NUL byte', ['/app/server', 'a\0b']],
    ['a line break inside an argument', ['sh', '-c', 'id\nrm -rf /']],
    ['a tab', ['ls', 'a\tb']],
    ['a zero-width space', [`server${ZWSP}`]],
    ['an empty argument', ['server', '']],
    ['an argument over 1024 characters', ['server', 'x'.repeat(1025)]],
    ['65 arguments', Array.from({ length: 65 }, () => 'x')],
    ['a million arguments', Array.from({ length: 1_000_000 }, () => 'x')],
    ['more than 4096 characters in all', Array.from({ length: 10 }, () => 'x'.repeat(500))],
    ['a number', ['server', 8080]],
    ['null', ['server', null]],
    ['an object', [{ toString: 'x' }]],
    ['a string instead of a list', 'server --port 8080'],
  ] as const;
  for (const schema of [entrypointSchema, commandSchema]) {
    it.each(hostile.map(([name, value]) => [name, value]))('refuses %s', (_name, value) => {
      const parsed = schema.safeParse(value);
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.message.length).toBeGreaterThan(10);
    });
  }
  it('keeps shell syntax literally: no shell reads it, so $(...), ; and | are plain characters', () => {
    const argv = ['/bin/echo', '$(id)', '`id`', 'a;b', 'x|y', '>out', '$HOME', '*'];
    expect(entrypointSchema.parse(argv)).toEqual(argv);
    expect(commandSchema.parse(argv)).toEqual(argv);
  });
  it('refuses an entrypoint whose program starts with "-", but lets the command start with options', () => {
    expect(entrypointSchema.safeParse(['--privileged']).success).toBe(false);
    expect(commandSchema.parse(['--port', '8080'])).toEqual(['--port', '8080']);
  });
  it('accepts 64 arguments, the most it allows', () => {
    expect(commandSchema.safeParse(Array.from({ length: 64 }, (_, i) => `a${i}`)).success).toBe(true);
  });
});

describe('memorySchema', () => {
  itParses(
    memorySchema,
    [
      ['512M', { memory: '512M', memory_bytes: 512 * 1024 ** 2 }],
      ['1G', { memory: '1G', memory_bytes: 1024 ** 3 }],
      ['256Mi', { memory: '256M', memory_bytes: 256 * 1024 ** 2 }],
      ['1.5g', { memory: '1536M', memory_bytes: 1.5 * 1024 ** 3 }],
      ['2GiB', { memory: '2G', memory_bytes: 2 * 1024 ** 3 }],
      ['6m', { memory: '6M', memory_bytes: 6 * 1024 ** 2 }],
      ['4T', { memory: '4T', memory_bytes: 4 * 1024 ** 4 }],
    ],
    [
      '',
      '5M',
      '5T',
      '512',
      '512X',
      'M',
      '-512M',
      '512M;id',
      '512M\n',
      '1e9',
      `512${CYRILLIC_A}`,
      `512M${ZWSP}`,
      '0x200M',
      BIG,
    ],
  );
});

describe('cpusSchema', () => {
  itParses(
    cpusSchema,
    [
      ['0.5', '0.5'],
      ['2', '2'],
      ['1.50', '1.5'],
      ['0.01', '0.01'],
      ['512', '512'],
    ],
    ['', '0', '0.001', '513', '-1', '.5', '1e1', '2;id', '2\n', `2${ZWSP}`, 'two', BIG],
  );
});

describe('networks', () => {
  itParses(
    networkNameSchema,
    [['backend'], ['shared_cache.v2'], ['A-1']],
    [
      '',
      'host',
      'ingress',
      'Bridge',
      '-net',
      '.net',
      'a b',
      'a;b',
      'a/b',
      '..',
      `n${CYRILLIC_A}t`,
      `net${ZWSP}`,
      'n'.repeat(66),
      BIG,
    ],
  );
  it('drops duplicates and refuses more than 10', () => {
    expect(networksSchema.parse(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(networksSchema.safeParse(Array.from({ length: 11 }, (_, i) => `n${i}`)).success).toBe(false);
  });
});

describe('dockerConfigSchema', () => {
  it('refuses the same published port and protocol twice, at the second row', () => {
    const parsed = dockerConfigSchema.safeParse({
      ports: [
        { target: 80, published: 8080 },
        { target: 81, published: 8080 },
        { target: 82, published: 8080, protocol: 'udp' },
      ],
    });
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['ports.1.published']);
  });
  it('refuses reservations above limits, beside the reservation', () => {
    const parsed = dockerConfigSchema.safeParse({
      resources: { limits: { memory: '256M', cpus: '0.5' }, reservations: { memory: '1G', cpus: '1' } },
    });
    expect(fieldErrorsByPath(parsed.error!)).toEqual({
      'resources.reservations.memory': ['The memory reservation (1G) is above the limit (256M).'],
      'resources.reservations.cpus': ['The CPU reservation (1) is above the limit (0.5).'],
    });
  });
  it('refuses keys it does not know (nothing unchecked reaches the service spec)', () => {
    expect(dockerConfigSchema.safeParse({ privileged: true }).success).toBe(false);
    expect(dockerConfigSchema.safeParse({ healthcheck: { test: ['NONE'], shell: 'x' } }).success).toBe(false);
  });
  it('stores nothing configured as {} and parses its own output to itself', () => {
    expect(dockerConfigSchema.parse({ ports: [], networks: [], resources: { limits: {}, reservations: {} } })).toEqual(
      {},
    );
    const once = dockerConfigSchema.parse({
      healthcheck: { test: ['CMD', 'true'], interval: '90s' },
      resources: { limits: { memory: '1.5G' } },
    });
    expect(dockerConfigSchema.parse(once)).toEqual(once);
  });
});

describe('dockerConfigFromForm / dockerConfigToForm', () => {
  const form = {
    'ports.0.target': '8080',
    'ports.0.published': '80',
    'ports.0.protocol': 'tcp',
    'ports.0.mode': 'ingress',
    'ports.1.target': '9000',
    'ports.1.published': '',
    'ports.1.protocol': 'udp',
    'ports.1.mode': 'host',
    entrypoint: '/app/server\n',
    command: '--port\r\n8080\n\n$(id)',
    'healthcheck.kind': 'CMD',
    'healthcheck.test': 'curl\r\n-f\n\nhttp://localhost:8080/health\n',
    'healthcheck.interval': '30s',
    'healthcheck.timeout': '',
    'healthcheck.start_period': '',
    'healthcheck.retries': '3',
    'resources.limits.memory': '512M',
    'resources.limits.cpus': '',
    'resources.reservations.memory': '',
    'resources.reservations.cpus': '',
    networks: 'backend, cache',
  };

  it('turns the form into the stored shape and back', () => {
    const config = dockerConfigSchema.parse(dockerConfigFromForm(form));
    expect(config).toEqual({
      ports: [
        { target: 8080, published: 80, protocol: 'tcp', mode: 'ingress' },
        { target: 9000, protocol: 'udp', mode: 'host' },
      ],
      entrypoint: ['/app/server'],
      command: ['--port', '8080', '$(id)'],
      healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8080/health'], interval: '30s', retries: 3 },
      resources: { limits: { memory: '512M', memory_bytes: 512 * 1024 ** 2 } },
      networks: ['backend', 'cache'],
    });
    expect(dockerConfigSchema.parse(dockerConfigFromForm(dockerConfigToForm(config)))).toEqual(config);
  });

  it('names the form field of each problem', () => {
    const parsed = dockerConfigSchema.safeParse(
      dockerConfigFromForm({
        ...form,
        'ports.1.target': 'eighty',
        'healthcheck.retries': '1000',
        'healthcheck.kind': 'CMD-SHELL',
        'healthcheck.test': 'a\nb',
        networks: 'ok host',
      }),
    );
    expect(Object.keys(fieldErrorsByPath(parsed.error!)).sort()).toEqual([
      'healthcheck.retries',
      'healthcheck.test',
      'networks.1',
      'ports.1.target',
    ]);
  });

  it('stores no entrypoint or command when their fields are blank, and names the field of a bad one', () => {
    const config = dockerConfigSchema.parse(dockerConfigFromForm({ ...form, entrypoint: ' \n', command: '' }));
    expect(config).not.toHaveProperty('entrypoint');
    expect(config).not.toHaveProperty('command');
    const parsed = dockerConfigSchema.safeParse(
      dockerConfigFromForm({ ...form, entrypoint: '-x', command: 'a\u0000b' }),
    );
    expect(Object.keys(fieldErrorsByPath(parsed.error!)).sort()).toEqual(['command', 'entrypoint']);
  });

  it('drops the timings of a disabled health check and everything when no check is chosen', () => {
    expect(dockerConfigSchema.parse(dockerConfigFromForm({ ...form, 'healthcheck.kind': 'NONE' })).healthcheck).toEqual(
      { test: ['NONE'] },
    );
    expect(
      dockerConfigSchema.parse(dockerConfigFromForm({ ...form, 'healthcheck.kind': '' })).healthcheck,
    ).toBeUndefined();
  });
});
