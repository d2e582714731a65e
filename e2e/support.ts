// Small helpers shared by the e2e global setup and specs.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';

import {
  expect,
  type APIRequestContext,
  type APIResponse,
  type Browser,
  type BrowserContext,
  type Page,
  type Response,
} from '@playwright/test';

import { STATE_ENV, type E2eState } from './global-teardown';

/**
 * A TCP port free on 127.0.0.1 right now. Only a hint: another process may take it before it is bound, so whoever
 * binds it must be ready to try another (e2e/panel-process.ts does).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A short string no other test, worker or run uses, for usernames, project and team names: lowercase letters and
 * digits only (usernames allow `[a-z0-9_-]{3,50}`), about 12 characters.
 */
export function uniqueStamp(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Signs in through the sign-in form, as a person would, and waits for the dashboard. */
export async function signIn(page: Page, identifier: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

export function demoPassword(): string {
  const password = process.env.E2E_DEMO_PASSWORD;
  if (!password) throw new Error('E2E_DEMO_PASSWORD is not set: e2e/global-setup.ts sets it.');
  return password;
}

/** A query on the e2e database as the system (row-level security bypassed), for checking what a page did. */
export async function dbQuery<T extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.rls_bypass', 'on', true)");
    const { rows } = await client.query(sql, values);
    await client.query('COMMIT');
    return rows as T[];
  } finally {
    await client.end();
  }
}

/** The key ring of the panel global-setup started (its data directory's key file, or SLIPWAY_SECRET_KEY). */
async function panelKeyRing() {
  const stateFile = process.env[STATE_ENV];
  if (!stateFile) throw new Error(`${STATE_ENV} is not set: e2e/global-setup.ts sets it.`);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as E2eState;
  const { loadKeyRing } = await import('../lib/crypto');
  return loadKeyRing({ secretKey: process.env.SLIPWAY_SECRET_KEY?.trim() || undefined, dataDir: state.dataDir });
}

/** `value` encrypted as the panel stores it (`aad` names the column), for seeding secrets straight in the database. */
export async function encryptForPanel(value: string, aad: string): Promise<string> {
  const { encryptSecret } = await import('../lib/crypto');
  return encryptSecret(await panelKeyRing(), value, aad);
}

/** The plaintext of a value the panel stored encrypted, for checking that no page ever carries it. */
export async function decryptForPanel(stored: string, aad: string): Promise<string> {
  const { decryptSecret } = await import('../lib/crypto');
  return decryptSecret(await panelKeyRing(), stored, aad);
}

export type Role = 'super_admin' | 'admin' | 'developer' | 'viewer';

/** A user made straight in the database with a known password (bcrypt cost 12, as the panel hashes). */
export async function createUser(username: string, role: Role, password: string) {
  const { default: bcrypt } = await import('bcryptjs');
  const hash = await bcrypt.hash(password, 12);
  const [row] = await dbQuery<{ id: string }>(
    'INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id',
    [username, `${username}@example.test`, hash, role],
  );
  return row!.id;
}

export type SignedIn = {
  id: string;
  name: string;
  password: string;
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
};

/** A new user with `role`, signed in in a browser context of its own (close it when done). */
export async function signedInAs(browser: Browser, role: Role, prefix = 'e2e'): Promise<SignedIn> {
  const name = `${prefix}_${role.slice(0, 3)}_${uniqueStamp()}`;
  const password = `pw-${name}-secret`;
  const id = await createUser(name, role, password);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, name, password);
  return { id, name, password, context, page, close: () => context.close() };
}

/** What went over the wire for one request, read by Playwright in Node (never from the browser's DevTools buffer). */
export type Captured = {
  url: string;
  method: string;
  resourceType: string;
  /** The request headers as the browser sent them. */
  headers: Record<string, string>;
  /** The request body as the browser sent it (empty for a GET). */
  requestBody: Buffer;
  status: number;
  body: string;
};

/** The Next-Action header of a server-action POST, or null. */
export const actionIdOf = (captured: Captured) =>
  (captured.method === 'POST' && captured.headers['next-action']) || null;
/** An RSC payload fetched by the client router (a navigation, a refresh or a prefetch). */
export const isRsc = (captured: Captured) => captured.headers['rsc'] === '1' && !actionIdOf(captured);

const CAPTURED_TYPES = new Set(['document', 'fetch', 'xhr']);

/**
 * Every document, fetch and XHR the page makes while `work` runs, each sent by Playwright from Node and its whole
 * response body read there before the browser gets it (route.fetch + route.fulfill): nothing depends on what the
 * browser keeps. `work` must wait for the outcome it causes (a toast, a URL): requests sent after it returns are not
 * captured. Event streams pass through untouched (their body never ends).
 */
export async function responsesDuring(page: Page, work: () => Promise<void>): Promise<Captured[]> {
  const seen: Captured[] = [];
  await page.route('**/*', async (route) => {
    const request = route.request();
    if (!CAPTURED_TYPES.has(request.resourceType())) return route.fallback();
    const response = await route.fetch({ maxRedirects: 0 });
    const body = await response.body();
    seen.push({
      url: request.url(),
      method: request.method(),
      resourceType: request.resourceType(),
      headers: await request.allHeaders(),
      requestBody: request.postDataBuffer() ?? Buffer.alloc(0),
      status: response.status(),
      body: body.toString('utf8'),
    });
    await route.fulfill({ response, body });
  });
  try {
    await work();
  } finally {
    await page.unrouteAll({ behavior: 'wait' });
  }
  return seen;
}

export type CapturedAction = Captured & { actionId: string };

/**
 * The one server-action POST the page sends while `work` runs (the request a forged call would imitate), with the
 * exact bytes the server accepted: the panel answered the body captured here, not a copy of it. Throws when there is
 * not exactly one, or its body is empty.
 */
export async function captureServerAction(page: Page, work: () => Promise<void>): Promise<CapturedAction> {
  const actions = (await responsesDuring(page, work)).filter((captured) => actionIdOf(captured));
  if (actions.length !== 1) {
    throw new Error(
      `Expected one server-action POST while the work ran, saw ${actions.length}: ${actions.map((a) => a.url).join(', ')}`,
    );
  }
  const action = actions[0]!;
  if (action.requestBody.length === 0)
    throw new Error(`The server-action POST to ${action.url} was captured with an empty body.`);
  if (action.status !== 200 || action.body.length === 0) {
    throw new Error(
      `The captured server action answered ${action.status} with ${action.body.length} bytes: the replay would prove nothing.`,
    );
  }
  return { ...action, actionId: actionIdOf(action)! };
}

/**
 * Posts a captured server action again through `request` (its own cookies: another user's session, or none), with
 * `body` in place of the captured one and optionally another Origin. Headers the client computes itself (host,
 * length) and the captured session cookie are left out.
 */
export function replayAction(
  request: APIRequestContext,
  action: CapturedAction,
  { body = action.requestBody, origin }: { body?: Buffer; origin?: string } = {},
): Promise<APIResponse> {
  const headers = Object.fromEntries(
    Object.entries(action.headers).filter(
      ([name]) => !['host', 'content-length', 'cookie'].includes(name) && !name.startsWith(':'),
    ),
  );
  if (origin) Object.assign(headers, { origin, referer: `${origin}/` });
  return request.fetch(action.url, { method: 'POST', headers, data: body, maxRedirects: 0 });
}

/** The captured body with `from` replaced by `to`; throws unless the replacement changed it (so a forgery is one). */
export function forgeBody(action: CapturedAction, from: string, to: string): Buffer {
  const text = action.requestBody.toString('latin1');
  if (!text.includes(from)) throw new Error(`The captured action body does not contain "${from}": nothing to forge.`);
  const forged = Buffer.from(text.replaceAll(from, to), 'latin1');
  if (forged.equals(action.requestBody)) throw new Error('The forged body is the captured one.');
  return forged;
}

export type SharedProject = { projectId: string; owner: string; viewer: string; password: string; stamp: string };

/** A developer owning a project shared with a team where a second user is a viewer; names start with `prefix`. */
export async function seedSharedProject(prefix: string): Promise<SharedProject> {
  const stamp = uniqueStamp();
  const password = `pw-${prefix}-${stamp}-x`;
  const owner = `${prefix}_dev_${stamp}`;
  const viewer = `${prefix}_view_${stamp}`;
  const ownerId = await createUser(owner, 'developer', password);
  const viewerId = await createUser(viewer, 'developer', password);
  // One statement: a new team must have its owner by the end of the transaction that creates it.
  const [row] = await dbQuery<{ id: string }>(
    `WITH t AS (INSERT INTO teams (name) VALUES ($1) RETURNING id),
          m AS (INSERT INTO team_members (team_id, user_id, role)
                SELECT id, $2::uuid, 'owner' FROM t UNION ALL SELECT id, $3::uuid, 'viewer' FROM t)
     INSERT INTO projects (name, owner_id, team_id) SELECT $4, $2::uuid, id FROM t RETURNING id`,
    [`${prefix}-team-${stamp}`, ownerId, viewerId, `${prefix}-project-${stamp}`],
  );
  return { projectId: row!.id, owner, viewer, password, stamp };
}

/** Headers every answer carries: pages, route handlers, event streams, static files, refusals. */
export function expectSafeHeaders(headers: Record<string, string>, what: string) {
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['referrer-policy'], what).toBe('same-origin');
  expect(headers['permissions-policy'], what).toContain('camera=()');
}

/** A page's CSP: a nonce'd script-src and the directives that keep the panel out of frames and plugins. */
export function nonceOf(response: Response | APIResponse, what: string): string {
  const headers = response.headers();
  expectSafeHeaders(headers, what);
  const policy = headers['content-security-policy'] ?? '';
  for (const directive of [
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "default-src 'self'",
  ]) {
    expect(policy, what).toContain(directive);
  }
  expect(policy, what).not.toContain('unsafe-inline');
  expect(policy, what).not.toContain('unsafe-eval');
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]{16,})' 'strict-dynamic'/.exec(policy)?.[1];
  expect(nonce, `${what}: ${policy}`).toBeTruthy();
  return nonce!;
}

/**
 * A developer owning a new project with one git application from `repository` (main branch, Dockerfile at the
 * root) that listens on 8080 with a health check, published in host mode without a fixed port (the routing mesh
 * does not work on this kernel: Swarm picks the host port). For specs that deploy it from the browser.
 */
export async function seedDeployableApp(repository: string, prefix: string) {
  const stamp = uniqueStamp();
  const password = `pw-${prefix}-${stamp}-x`;
  const owner = `${prefix}_dev_${stamp}`;
  const ownerId = await createUser(owner, 'developer', password);
  const [project] = await dbQuery<{ id: string }>(
    'INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id',
    [`${prefix}-${stamp}`, ownerId],
  );
  const [app] = await dbQuery<{ id: string }>(
    `INSERT INTO applications (project_id, name, type, source_type, source_config, docker_config)
     VALUES ($1, $2, 'git', 'github', $3, $4) RETURNING id`,
    [
      project!.id,
      `web-${stamp}`,
      JSON.stringify({ repository, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' }),
      JSON.stringify({
        ports: [{ target: 8080, protocol: 'tcp', mode: 'host' }],
        healthcheck: {
          test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'],
          interval: '1s',
          timeout: '1s',
          retries: 2,
        },
      }),
    ],
  );
  return { stamp, owner, password, projectId: project!.id, appId: app!.id };
}
