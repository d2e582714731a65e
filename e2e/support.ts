// Small helpers shared by the e2e global setup and specs.
import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
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

/** Signs in through the sign-in form, as a person would, and waits for the dashboard. */
export async function signIn(page: import('@playwright/test').Page, identifier: string, password: string): Promise<void> {
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

/** A user made straight in the database with a known password (bcrypt cost 12, as the panel hashes). */
export async function createUser(username: string, role: 'super_admin' | 'admin' | 'developer' | 'viewer', password: string) {
  const { default: bcrypt } = await import('bcryptjs');
  const hash = await bcrypt.hash(password, 12);
  const [row] = await dbQuery<{ id: string }>(
    'INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id',
    [username, `${username}@example.test`, hash, role],
  );
  return row!.id;
}

export type CapturedAction = { url: string; headers: Record<string, string>; body: Buffer };

/** Records the next server-action POST the page sends (the request a forged call would imitate). */
export function captureServerAction(page: import('@playwright/test').Page): Promise<CapturedAction> {
  return new Promise((resolve) => {
    page.on('request', function onRequest(request) {
      const headers = request.headers();
      if (request.method() !== 'POST' || !headers['next-action']) return;
      page.off('request', onRequest);
      resolve({ url: request.url(), headers, body: request.postDataBuffer() ?? Buffer.alloc(0) });
    });
  });
}

export type SharedProject = { projectId: string; owner: string; viewer: string; password: string; stamp: string };

/** A developer owning a project shared with a team where a second user is a viewer; names start with `prefix`. */
export async function seedSharedProject(prefix: string): Promise<SharedProject> {
  const stamp = `${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
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
