// The action wrapper against the real database, with real domain functions (teams, users) as its run step. Only
// what Next.js owns (the session, revalidatePath, redirect) comes in as test doubles through ActionDeps.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import type { PlatformRole } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/session';
import { asSystem } from '@/lib/db/context';
import { AppError } from '@/lib/errors';
import { createTeam, TEAM_NAME_TAKEN_MESSAGE, teamErrorFrom } from '@/lib/teams/mutations';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import { insertUser, uniqueName } from '@/lib/testing/fixtures';
import { createUser } from '@/lib/users/mutations';
import { createTeamSchema } from '@/lib/validation/team';
import { createUserFormSchema } from '@/lib/validation/user';

import { actionsWith, type ActionDeps } from './form-action';
import { CHECK_FIELDS, SERVER_FAILED, type ActionState } from './state';

let test: TestDatabase;
let admin: SessionUser;
let developer: SessionUser;
const META = { ip: '203.0.113.9', userAgent: 'vitest form-action' };
const PASSWORD = 'correct horse battery staple 42';

class Redirected extends Error {
  constructor(readonly path: string) {
    super(`redirect to ${path}`);
  }
}

let signedIn: SessionUser | null;
let revalidated: string[];
const deps: ActionDeps = {
  async requireUser() {
    if (!signedIn) throw new Redirected('/sign-in'); // what requireUser() does: redirect('/sign-in')
    return signedIn;
  },
  getDb: async () => test.db.prisma,
  getRequestMeta: async () => META,
  revalidatePath: (path, type) => void revalidated.push(type ? `${path} (${type})` : path),
  redirect: (path) => {
    throw new Redirected(path);
  },
};
const { formAction, callAction } = actionsWith(deps);

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

async function sessionUser(role: PlatformRole): Promise<SessionUser> {
  const row = await insertUser(test.db.pool, { role });
  return { id: row.id, username: String(row.username), email: String(row.email), role, preferences: {} };
}

const teamNamed = (name: string) => asSystem(test.db.prisma, (tx) => tx.team.findMany({ where: { name } }));
const usersNamed = (username: string) => asSystem(test.db.prisma, (tx) => tx.user.findMany({ where: { username } }));

const createTeamAction = formAction({
  schema: createTeamSchema,
  keys: ['name', 'description'],
  run: (tx, ctx, input) => createTeam(tx, ctx, input),
  translate: teamErrorFrom,
  revalidate: (_, team) => ['/teams', [`/teams/${team.id}`, 'layout']],
  success: (team) => `Team ${team.name} created.`,
});

const createUserAction = formAction({
  schema: createUserFormSchema,
  keys: ['username', 'email', 'role', 'password', 'confirm'],
  echo: ['username', 'email', 'role'],
  run: (tx, ctx, input) => createUser(tx, ctx, input),
  as: 'system',
  success: 'Created.',
});

beforeAll(async () => {
  test = await createTestDatabase();
  admin = await sessionUser('admin');
  developer = await sessionUser('developer');
});

afterAll(async () => {
  await test?.drop();
});

beforeEach(() => {
  signedIn = developer;
  revalidated = [];
});

describe('formAction', () => {
  it('runs the domain function as the user, revalidates, and says what happened', async () => {
    const name = uniqueName('Crew');
    const state = await createTeamAction({ ok: false }, form({ name, description: 'Ops' }));
    const [team] = await teamNamed(name);
    expect(state).toEqual({ ok: true, message: `Team ${name} created.` });
    expect(team).toBeDefined();
    expect(revalidated).toEqual(['/teams', `/teams/${team!.id} (layout)`]);
    const audit = await asSystem(test.db.prisma, (tx) =>
      tx.auditLog.findFirstOrThrow({ where: { resourceId: team!.id } }),
    );
    expect(audit).toMatchObject({
      userId: developer.id,
      action: 'team.create',
      ipAddress: META.ip,
      userAgent: META.userAgent,
    });
  });

  it('keeps every field error of every field, not just the first, and runs nothing', async () => {
    signedIn = admin;
    const username = 'X!';
    const state = await createUserAction(
      { ok: false },
      form({ username, email: 'not an email', role: 'emperor', password: 'short', confirm: 'other' }),
    );
    expect(state.ok).toBe(false);
    expect(state.message).toBe(CHECK_FIELDS);
    expect(Object.keys(state.fieldErrors ?? {}).sort()).toEqual(['email', 'role', 'username']);
    expect(await usersNamed(username.toLowerCase())).toEqual([]);
  });

  it('keeps several errors of one field', async () => {
    signedIn = admin;
    const username = uniqueName('u');
    const state = await createUserAction(
      { ok: false },
      form({ username, email: `${username}@example.com`, role: 'viewer', password: username, confirm: 'different' }),
    );
    expect(state.fieldErrors?.password?.length).toBeGreaterThanOrEqual(2);
    expect(state.fieldErrors?.confirm).toEqual(['The two passwords differ.']);
  });

  it('echoes what was typed, but never the keys left out of echo (passwords)', async () => {
    signedIn = admin;
    const state = await createUserAction(
      { ok: false },
      form({ username: 'X!', email: 'a@example.com', role: 'viewer', password: PASSWORD, confirm: PASSWORD }),
    );
    expect(state.values).toEqual({ username: 'X!', email: 'a@example.com', role: 'viewer' });
    expect(JSON.stringify(state)).not.toContain(PASSWORD);
  });

  it('shows an AppError about one field beside that field (a taken team name, from the database)', async () => {
    const name = uniqueName('Taken');
    await createTeamAction({ ok: false }, form({ name }));
    const state = await createTeamAction({ ok: false }, form({ name, description: 'again' }));
    expect(state).toEqual({
      ok: false,
      message: CHECK_FIELDS,
      fieldErrors: { name: [TEAM_NAME_TAKEN_MESSAGE] },
      values: { name, description: 'again' },
    });
    expect(await teamNamed(name)).toHaveLength(1);
  });

  it('shows an AppError without a field as the message, and audits the refusal though the work rolled back', async () => {
    signedIn = developer; // a developer may not create users
    const username = uniqueName('u');
    const state = await createUserAction(
      { ok: false },
      form({ username, email: `${username}@example.com`, role: 'viewer', password: PASSWORD, confirm: PASSWORD }),
    );
    expect(state.ok).toBe(false);
    expect(state.fieldErrors).toBeUndefined();
    expect(state.message).toMatch(/not allowed/i);
    expect(await usersNamed(username)).toEqual([]);
    const denied = await asSystem(test.db.prisma, (tx) =>
      tx.auditLog.findMany({ where: { userId: developer.id, action: 'authz.denied' } }),
    );
    expect(denied.map((row) => (row.details as { action?: string }).action)).toContain('user.create');
  });

  it('logs an unexpected error and gives the generic message, without its details', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const failing = formAction({
        schema: z.object({ name: z.string() }),
        keys: ['name'],
        run: async (tx) => tx.$executeRawUnsafe('SELECT * FROM no_such_table_here'),
        success: 'never',
      });
      const state = await failing({ ok: false }, form({ name: 'x' }));
      expect(state).toEqual({ ok: false, message: SERVER_FAILED, values: { name: 'x' } });
      expect(JSON.stringify(state)).not.toContain('no_such_table_here');
      expect(logged).toHaveBeenCalledWith('[slipway] action failed', expect.anything());
      expect(String(logged.mock.calls.at(-1)?.[1])).toContain('no_such_table_here');
    } finally {
      logged.mockRestore();
    }
  });

  it('sends a signed-out request to sign in before reading anything or running', async () => {
    signedIn = null;
    const name = uniqueName('Nobody');
    const refused = await createTeamAction({ ok: false }, form({ name })).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(Redirected);
    expect((refused as Redirected).path).toBe('/sign-in');
    expect(await teamNamed(name)).toEqual([]);
    expect(revalidated).toEqual([]);
  });

  it('redirects after a success (outside the failure mapping), and not after a failure', async () => {
    const withRedirect = formAction({
      schema: createTeamSchema,
      keys: ['name'],
      run: (tx, ctx, input) => createTeam(tx, ctx, input),
      translate: teamErrorFrom,
      revalidate: ['/teams'],
      redirect: (team) => `/teams/${team.id}`,
    });
    const name = uniqueName('Go');
    const done = await withRedirect({ ok: false }, form({ name })).then(
      () => null,
      (error: unknown) => error,
    );
    const [team] = await teamNamed(name);
    expect((done as Redirected).path).toBe(`/teams/${team!.id}`);
    expect(revalidated).toEqual(['/teams']);
    const again: ActionState = await withRedirect({ ok: false }, form({ name }));
    expect(again.fieldErrors).toEqual({ name: [TEAM_NAME_TAKEN_MESSAGE] });
  });

  it('keys nested field errors by their dotted path below `nested`', async () => {
    const nested = formAction({
      schema: z.object({
        id: z.string().min(1, 'Give an id.'),
        config: z.object({ ports: z.array(z.number().max(9, 'Too big.')) }),
      }),
      keys: ['id', 'ports.0'],
      input: (values) => ({ id: values.id, config: { ports: [Number(values['ports.0'])] } }),
      nested: 'config',
      run: async () => null,
    });
    const state = await nested({ ok: false }, form({ id: '', 'ports.0': '12' }));
    expect(state.fieldErrors).toEqual({ id: ['Give an id.'], 'ports.0': ['Too big.'] });
  });
});

describe('callAction', () => {
  const createNamed = callAction({
    args: (name: string) => ({ name }),
    schema: createTeamSchema,
    run: (tx, ctx, input) => createTeam(tx, ctx, input),
    translate: teamErrorFrom,
    success: (team) => ({ ok: true as const, id: team.id }),
  });

  it('returns what success makes of the result', async () => {
    const name = uniqueName('Call');
    const result = await createNamed(name);
    const [team] = await teamNamed(name);
    expect(result).toEqual({ ok: true, id: team!.id });
  });

  it('answers a field refusal with its message (there is no field to show it beside)', async () => {
    const name = uniqueName('Call');
    await createNamed(name);
    expect(await createNamed(name)).toEqual({ ok: false, message: TEAM_NAME_TAKEN_MESSAGE });
  });

  it('answers arguments the schema refuses as a stale page, running nothing', async () => {
    const result = await createNamed('');
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/out of date/) });
  });

  it('answers an AppError thrown by the work with its message', async () => {
    const refusing = callAction({
      args: () => ({}),
      schema: z.object({}),
      run: async () => {
        throw new AppError('conflict', 'Already done: reload the page.');
      },
      success: () => ({ ok: true as const }),
    });
    expect(await refusing()).toEqual({ ok: false, message: 'Already done: reload the page.' });
  });
});
