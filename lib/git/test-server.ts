// Tests only: a real git server on ports the kernel picks, serving one repository whose commits the test makes, over git://
// (git daemon) and over http:// (git http-backend behind a small node:http server, optionally wanting a token).
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type GitTestServer = {
  /** git://127.0.0.1:<port>/app.git */
  url: string;
  /** http://127.0.0.1:<port>/app.git, the same repository through git http-backend. */
  httpUrl: string;
  /** Commits these files on `branch` (main by default; paths relative to the repository) and pushes; returns the new sha. */
  commit: (files: Record<string, string>, message?: string, branch?: string) => Promise<string>;
  /** The Authorization headers the http server was sent, in order ('' for a request without one). */
  authorizations: string[];
  stop: () => Promise<void>;
};

export type GitTestServerOptions = {
  /** When set, the http server answers 401 unless Basic auth carries this token as its password. */
  token?: string;
  /** With `token`: the user name Basic auth must carry too (any when unset). */
  username?: string;
};

export async function startGitServer(options: GitTestServerOptions = {}): Promise<GitTestServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-gitsrv-'));
  const work = path.join(root, 'work');
  const srv = path.join(root, 'srv');
  const bare = path.join(srv, 'app.git');
  const git = (args: string[], cwd = work) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd })
      .toString()
      .trim();
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  git(['remote', 'add', 'origin', bare]);
  const daemon = await startDaemon(srv);
  const url = `git://127.0.0.1:${daemon.port}/app.git`;
  const authorizations: string[] = [];
  const web = http.createServer((request, response) => {
    const authorization = request.headers.authorization ?? '';
    authorizations.push(authorization);
    if (options.token !== undefined && !authorized(authorization, options)) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="slipway-test"', 'Content-Type': 'text/plain' });
      response.end('Authentication required\n');
      return;
    }
    serveCgi(request, response, srv);
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const httpUrl = `http://127.0.0.1:${(web.address() as net.AddressInfo).port}/app.git`;

  const commit = async (files: Record<string, string>, message = 'change', branch = 'main') => {
    // Another branch starts afresh from main's head (force-pushed); the work tree is back on main afterwards.
    if (branch !== 'main') git(['checkout', '--quiet', '-B', branch]);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(work, name)), { recursive: true });
      await writeFile(path.join(work, name), content);
    }
    git(['add', '-A']);
    git(['commit', '--quiet', '--allow-empty', '-m', message]);
    git(['push', '--quiet', '--force', 'origin', branch]);
    const sha = git(['rev-parse', 'HEAD']);
    if (branch !== 'main') git(['checkout', '--quiet', 'main']);
    return sha;
  };
  await commit({ 'README.md': 'test repository\n' }, 'initial');
  return {
    url,
    httpUrl,
    commit,
    authorizations,
    stop: async () => {
      await daemon.stop();
      web.closeAllConnections();
      await new Promise((resolve) => web.close(resolve));
      await rm(root, { recursive: true, force: true });
    },
  };
}

// git:// is `git daemon --inetd`, one per connection, behind a Node server bound to port 0 that reports its port: no
// port is chosen, released and bound again later (another process could take it in between). That server runs in a
// child process so a test may call git synchronously (execFileSync) without blocking the server it talks to.
const DAEMON = `
const net = require('node:net');
const { spawn } = require('node:child_process');
const srv = process.argv[1];
const server = net.createServer((socket) => {
  const git = spawn('git', ['daemon', '--inetd', '--export-all', '--base-path=' + srv, srv], { stdio: ['pipe', 'pipe', 'ignore'] });
  socket.pipe(git.stdin);
  git.stdout.pipe(socket);
  git.stdin.on('error', () => socket.destroy());
  socket.on('error', () => git.kill());
  git.once('close', () => socket.end());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
// The test process went away (or stop()): so do we.
process.stdin.on('end', () => process.exit(0)).resume();
`;

async function startDaemon(srv: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', DAEMON, srv], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', (code) => reject(new Error(`the git:// server exited (${code}) before it listened`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

function authorized(header: string, options: GitTestServerOptions): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return password === options.token && (options.username === undefined || username === options.username);
}

/** One request through `git http-backend` as a CGI program: request to env + stdin, its stdout to headers + body. */
function serveCgi(request: http.IncomingMessage, response: http.ServerResponse, projectRoot: string) {
  const requestUrl = new URL(request.url ?? '/', 'http://127.0.0.1');
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  const backend = spawn('git', ['http-backend'], {
    env: {
      NODE_ENV: 'test',
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: projectRoot,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(requestUrl.pathname),
      QUERY_STRING: requestUrl.search.slice(1),
      CONTENT_TYPE: header('content-type'),
      REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: 'test',
      // Gzipped request bodies and protocol v2 reach http-backend as these CGI variables.
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      HTTP_GIT_PROTOCOL: header('git-protocol'),
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  // http-backend may answer (and exit) before reading the whole body.
  backend.stdin.on('error', () => {});
  request.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    if (end === -1) return;
    const separator = /\r?\n\r?\n/.exec(text.slice(end))?.[0].length ?? 2;
    let status = 200;
    for (const line of text.slice(0, end).split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    started = true;
    response.write(head.subarray(end + separator));
  });
  backend.once('close', () => {
    if (!started) response.writeHead(502);
    response.end();
  });
  backend.once('error', () => {
    if (!response.headersSent) response.writeHead(502);
    response.end();
  });
}
