// Certificates for tests, made by openssl (argument arrays, never a shell string) in a temporary directory: a root, an
// intermediate it signs, and leaves the intermediate signs for the names asked.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TestPair = { cert: string; key: string };
export type TestPki = {
  root: TestPair;
  intermediate: TestPair;
  /** A leaf for these DNS names, signed by the intermediate; `days` of validity (default 30). */
  leaf: (names: string[], options?: { days?: number }) => Promise<TestPair>;
  /** A self-signed certificate for these names (no chain). */
  selfSigned: (names: string[]) => Promise<TestPair>;
  cleanup: () => Promise<void>;
};

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-pki-'));
  let n = 0;
  const file = (name: string) => join(dir, name);
  const pair = async (base: string): Promise<TestPair> => ({
    cert: await readFile(file(`${base}.crt`), 'utf8'),
    key: await readFile(file(`${base}.key`), 'utf8'),
  });

  const root = 'root';
  await run('openssl', [
    'req', '-x509', ...EC, '-keyout', file('root.key'), '-out', file('root.crt'),
    '-subj', '/O=Slipway Test/CN=Slipway Test Root', '-days', '60',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore

  const sign = async (base: string, subject: string, ca: string, ext: string, days: number) => {
    await run('openssl', [
      'req',
      '-new',
      ...EC,
      '-keyout',
      file(`${base}.key`),
      '-out',
      file(`${base}.csr`),
      '-subj',
      subject,
    ]);
    await writeFile(file(`${base}.ext`), ext);
    await run('openssl', [
      'x509', '-req', '-in', file(`${base}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`),
      '-CAcreateserial', '-out', file(`${base}.crt`), '-days', String(days), '-extfile', file(`${base}.ext`),
    ]); // prettier-ignore
    return pair(base);
  };

  const intermediate = await sign(
    'intermediate',
    '/O=Slipway Test/CN=Slipway Test Intermediate',
    root,
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
    50,
  );
  const san = (names: string[]) => `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}\n`;

  return {
    root: await pair(root),
    intermediate,
    leaf: (names, options = {}) =>
      sign(`leaf${++n}`, `/CN=${names[0]}`, 'intermediate', san(names), options.days ?? 30),
    selfSigned: async (names) => {
      const base = `self${++n}`;
      await run('openssl', [
        'req', '-x509', ...EC, '-keyout', file(`${base}.key`), '-out', file(`${base}.crt`),
        '-subj', `/CN=${names[0]}`, '-days', '30', '-addext', san(names).trim(),
      ]); // prettier-ignore
      return pair(base);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
