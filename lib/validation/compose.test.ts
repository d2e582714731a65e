import { describe, expect, it } from 'vitest';

import { CYRILLIC_A, ZWSP } from '@/lib/testing/schema-cases';

import { checkCompose, COMPOSE_MAX_BYTES, composeFileSchema } from './compose';

const GOOD: [string, string, string[]][] = [
  ['one image service', 'services:\n  web:\n    image: nginx:1.27\n', ['web']],
  ['a build service', 'services:\n  api:\n    build: ./api\n', ['api']],
  ['a build mapping', 'services:\n  api:\n    build:\n      context: .\n      dockerfile: Dockerfile\n', ['api']],
  [
    'anchors and merge keys',
    'x-defaults: &defaults\n  restart: always\nservices:\n  web:\n    <<: *defaults\n    image: nginx\n  worker:\n    <<: *defaults\n    image: busybox\n',
    ['web', 'worker'],
  ],
  ['interpolation in an image', 'services:\n  web:\n    image: "nginx:${TAG:-latest}"\n', ['web']],
  // Shell syntax in a command is the container's business; the file is data to the panel.
  [
    'a command with shell metacharacters',
    'services:\n  job:\n    image: busybox\n    command: ["sh", "-c", "echo $$HOME; ls | wc -l"]\n',
    ['job'],
  ],
  ['flow style', '{"services": {"db": {"image": "postgres:16"}}}', ['db']],
];

describe('checkCompose accepts', () => {
  it.each(GOOD)('%s', (_label, text, services) => {
    expect(checkCompose(text)).toEqual({ problems: [], summary: { services } });
  });
});

const BAD: [string, string, RegExp][] = [
  ['an empty file', '', /Paste a compose file/],
  ['only whitespace', '  \n\n', /Paste a compose file/],
  ['a list', '- a\n- b\n', /is a mapping/],
  ['a scalar', 'hello', /is a mapping/],
  ['no services', 'version: "3.8"\n', /services: section/],
  ['empty services', 'services: {}\n', /services: section/],
  ['services as a list', 'services:\n  - web\n', /services: section/],
  ['a service without image or build', 'services:\n  web:\n    ports: ["80:80"]\n', /needs an image: .* or a build:/],
  ['a service that is a string', 'services:\n  web: nginx\n', /must be a mapping/],
  ['an image with a space', 'services:\n  web:\n    image: "nginx; rm -rf /"\n', /not an image reference/],
  ['an image with a newline', 'services:\n  web:\n    image: "nginx\\nlatest"\n', /not an image reference/],
  ['an image that is a number', 'services:\n  web:\n    image: 42\n', /not an image reference/],
  ['a build that is a list', 'services:\n  web:\n    build: [a]\n', /neither a path nor a mapping/],
  ['an uppercase service name', 'services:\n  Web:\n    image: nginx\n', /not a valid name/],
  ['a service name with a shell metacharacter', 'services:\n  "web;id":\n    image: nginx\n', /not a valid name/],
  ['a service name with ..', 'services:\n  "..":\n    image: nginx\n', /not a valid name/],
  ['a service name starting with -', 'services:\n  "-web":\n    image: nginx\n', /not a valid name/],
  ['a look-alike service name', `services:\n  ${CYRILLIC_A}pi:\n    image: nginx\n`, /not a valid name/],
  ['a zero-width service name', `services:\n  "web${ZWSP}":\n    image: nginx\n`, /not a valid name/],
  ['a __proto__ service', 'services:\n  __proto__:\n    image: nginx\n', /not a valid name/],
  [
    'duplicate keys',
    'services:\n  web:\n    image: nginx\n  web:\n    image: httpd\n',
    /^Line 4, column 3: Map keys must be unique/,
  ],
  ['a syntax error, with its line', 'services:\n  web:\n    image: nginx\n  db: {\n', /^Line 5, column 1:/],
  ['a tab indentation error', 'services:\n\tweb:\n    image: nginx\n', /^Line 2/],
];

describe('checkCompose refuses', () => {
  it.each(BAD)('%s', (_label, text, message) => {
    const { problems, summary } = checkCompose(text);
    expect(summary).toBeUndefined();
    expect(problems.join(' ')).toMatch(message);
  });

  it('a file over 256 KB', () => {
    const text = `services:\n  web:\n    image: nginx\n# ${'x'.repeat(COMPOSE_MAX_BYTES)}\n`;
    expect(checkCompose(text).problems).toEqual(['A compose file has at most 256 KB.']);
  });

  it('a 64 KB service name (YAML itself caps implicit keys at 1024 characters)', () => {
    expect(checkCompose(`services:\n  ${'a'.repeat(64 * 1024)}:\n    image: nginx\n`).problems[0]).toMatch(
      /^Line 2, column 3: .*1024 chars/,
    );
    expect(checkCompose(`{"services": {"${'a'.repeat(64 * 1024)}": {"image": "nginx"}}}`).problems[0]).toMatch(
      /not a valid name/,
    );
  });

  it('an alias bomb ("billion laughs"), without expanding it', () => {
    // Expanded, this is 10^10 nodes: no run could finish it, so a result at all shows the expansion was refused.
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i += 1)
      text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
    text += 'services:\n  web:\n    image: nginx\n    labels: *a9\n';
    expect(checkCompose(text).problems[0]).toMatch(/too many aliases/);
  });

  it('more than 100 services', () => {
    const services = Array.from({ length: 101 }, (_, i) => `  s${i}:\n    image: nginx\n`).join('');
    expect(checkCompose(`services:\n${services}`).problems).toEqual(['A compose file has at most 100 services.']);
  });

  it('reports every bad service at once', () => {
    expect(checkCompose('services:\n  a:\n    ports: []\n  B:\n    image: x\n').problems).toHaveLength(2);
  });
});

describe('composeFileSchema', () => {
  it('keeps a valid file exactly as typed', () => {
    const text = '# comment kept\nservices:\n  web:\n    image: nginx   # trailing\n';
    expect(composeFileSchema.parse(text)).toBe(text);
  });
  it('refuses what checkCompose refuses, and non-strings', () => {
    expect(composeFileSchema.safeParse('services: {}').success).toBe(false);
    expect(composeFileSchema.safeParse({ services: { web: { image: 'nginx' } } }).success).toBe(false);
  });
});
