import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { AppError } from '@/lib/errors';

import {
  ACTIONS,
  assertCan,
  assertCanAssignRole,
  can,
  canAssignRole,
  PERMISSIONS,
  PLATFORM_ROLES,
  type Action,
  type Actor,
  type PlatformRole,
  type Resource,
  type ResourceOf,
  type Rule,
  type TeamRole,
} from './permissions';

// The expectations below are written by hand, not derived from PERMISSIONS, so a wrong rule fails a case.
const superAdmin: Actor = { id: 'u-super', role: 'super_admin' };
const otherSuperAdmin: Actor = { id: 'u-super-2', role: 'super_admin' };
const admin: Actor = { id: 'u-admin', role: 'admin' };
const otherAdmin: Actor = { id: 'u-admin-2', role: 'admin' };
const developer: Actor = { id: 'u-dev', role: 'developer' };
const viewer: Actor = { id: 'u-viewer', role: 'viewer' };

const platform: ResourceOf<'platform'> = { type: 'platform' };
type Project = ResourceOf<'project'>;

const ownedBy = (actor: Actor): Project => ({ type: 'project', ownerId: actor.id, teamId: null, teamRole: null });
/** A project owned by someone else, in a team where the actor has `teamRole` (null: not a member). */
const teamProject = (teamRole: TeamRole | null): Project => ({
  type: 'project',
  ownerId: 'u-someone-else',
  teamId: 't-1',
  teamRole,
});
const team = (teamRole: TeamRole | null): ResourceOf<'team'> => ({ type: 'team', teamRole });
const userOf = (actor: Actor): ResourceOf<'user'> => ({ type: 'user', id: actor.id, role: actor.role });
const tokenOf = (actor: Actor): ResourceOf<'token'> => ({ type: 'token', userId: actor.id });

type Case = { action: Action; who: string; actor: Actor; resource: Resource; allowed: boolean };
const allow = (action: Action, who: string, actor: Actor, resource: Resource): Case => ({
  action,
  who,
  actor,
  resource,
  allowed: true,
});
const refuse = (action: Action, who: string, actor: Actor, resource: Resource): Case => ({
  action,
  who,
  actor,
  resource,
  allowed: false,
});

const PROJECT_READS: Action[] = ['project.read', 'application.read', 'application.logs', 'env.read', 'database.read'];
const PROJECT_WRITES: Action[] = [
  'project.update',
  'application.create',
  'application.update',
  'application.delete',
  'application.deploy',
  'env.write',
  'volume.write',
  'database.write',
  'domain.write',
];
const USER_ADMINISTRATION: Action[] = ['user.update_role', 'user.disable', 'user.delete'];

const CASES: Case[] = [
  ...PROJECT_READS.flatMap((action) => [
    allow(action, 'a platform viewer who owns the project', viewer, ownedBy(viewer)),
    allow(action, 'a platform viewer who is a team viewer', viewer, teamProject('viewer')),
    allow(action, 'a developer who is a team member', developer, teamProject('member')),
    refuse(action, 'a super_admin outside the project (RLS has no admin bypass)', superAdmin, teamProject(null)),
    refuse(action, 'an admin, for a project of someone else with no team', admin, ownedBy(developer)),
  ]),
  ...PROJECT_WRITES.flatMap((action) => [
    allow(action, 'a developer who owns the project', developer, ownedBy(developer)),
    allow(action, 'a developer who is a team member', developer, teamProject('member')),
    allow(action, 'an admin who is a team admin', admin, teamProject('admin')),
    refuse(action, 'a developer who is a team viewer', developer, teamProject('viewer')),
    refuse(action, 'a platform viewer, even owning the project', viewer, ownedBy(viewer)),
    refuse(action, 'a super_admin outside the project', superAdmin, teamProject(null)),
  ]),
  allow('env.reveal_secret', 'a developer who owns the project', developer, ownedBy(developer)),
  allow('env.reveal_secret', 'a developer who is a team admin', developer, teamProject('admin')),
  allow('env.reveal_secret', 'a developer who is a team owner', developer, teamProject('owner')),
  refuse('env.reveal_secret', 'a team member (sets secrets, never reads them)', developer, teamProject('member')),
  refuse('env.reveal_secret', 'a platform viewer owning the project', viewer, ownedBy(viewer)),
  refuse('env.reveal_secret', 'a super_admin outside the project', superAdmin, teamProject(null)),

  allow('project.delete', 'the owner', developer, ownedBy(developer)),
  refuse('project.delete', 'a team owner who does not own the project', developer, teamProject('owner')),
  refuse('project.delete', 'a platform viewer owning the project', viewer, ownedBy(viewer)),
  refuse('project.delete', 'a super_admin outside the project', superAdmin, teamProject(null)),
  allow('project.move_team', 'the owner', developer, ownedBy(developer)),
  refuse('project.move_team', 'a team admin who does not own the project', admin, teamProject('admin')),
  refuse('project.move_team', 'a platform viewer owning the project', viewer, ownedBy(viewer)),

  ...(['project.create', 'team.create'] as const).flatMap((action) => [
    allow(action, 'a developer', developer, platform),
    allow(action, 'an admin', admin, platform),
    refuse(action, 'a viewer', viewer, platform),
  ]),

  allow('team.read', 'a platform viewer who is a team viewer', viewer, team('viewer')),
  allow('team.read', 'a team member', developer, team('member')),
  refuse('team.read', 'a super_admin who is not a member', superAdmin, team(null)),
  ...(['team.update', 'team.manage_members'] as const).flatMap((action) => [
    allow(action, 'a team admin', developer, team('admin')),
    allow(action, 'a team owner', developer, team('owner')),
    refuse(action, 'a team member', developer, team('member')),
    refuse(action, 'a team owner who is a platform viewer', viewer, team('owner')),
    refuse(action, 'a super_admin who is not a member', superAdmin, team(null)),
  ]),
  allow('team.delete', 'a team owner', developer, team('owner')),
  refuse('team.delete', 'a team admin', admin, team('admin')),
  refuse('team.delete', 'a team owner who is a platform viewer', viewer, team('owner')),
  allow('team.leave', 'a platform viewer who is a team viewer', viewer, team('viewer')),
  allow('team.leave', 'a team owner (the database refuses the last owner)', developer, team('owner')),
  refuse('team.leave', 'a non-member', admin, team(null)),

  ...(['user.list', 'user.create', 'audit.read', 'settings.manage'] as const).flatMap((action) => [
    allow(action, 'a super_admin', superAdmin, platform),
    allow(action, 'an admin', admin, platform),
    refuse(action, 'a developer', developer, platform),
    refuse(action, 'a viewer', viewer, platform),
  ]),
  ...USER_ADMINISTRATION.flatMap((action) => [
    allow(action, 'an admin, on a developer', admin, userOf(developer)),
    allow(action, 'an admin, on another admin', admin, userOf(otherAdmin)),
    allow(action, 'a super_admin, on another super_admin', superAdmin, userOf(otherSuperAdmin)),
    refuse(action, 'an admin, on a super_admin', admin, userOf(superAdmin)),
    refuse(action, 'an admin, on themself (lock-out)', admin, userOf(admin)),
    refuse(action, 'a super_admin, on themself (lock-out)', superAdmin, userOf(superAdmin)),
    refuse(action, 'a developer, on a viewer', developer, userOf(viewer)),
  ]),
  allow('user.sign_out_everywhere', 'a viewer, on themself', viewer, userOf(viewer)),
  allow('user.sign_out_everywhere', 'an admin, on themself', admin, userOf(admin)),
  allow('user.sign_out_everywhere', 'an admin, on a developer', admin, userOf(developer)),
  allow('user.sign_out_everywhere', 'a super_admin, on another super_admin', superAdmin, userOf(otherSuperAdmin)),
  refuse('user.sign_out_everywhere', 'a developer, on someone else', developer, userOf(viewer)),
  refuse('user.sign_out_everywhere', 'an admin, on a super_admin', admin, userOf(superAdmin)),

  ...(['token.create', 'token.list'] as const).flatMap((action) => [
    allow(action, 'a viewer, for themself', viewer, tokenOf(viewer)),
    allow(action, 'a developer, for themself', developer, tokenOf(developer)),
    refuse(action, 'an admin, for someone else', admin, tokenOf(developer)),
    refuse(action, 'a super_admin, for someone else', superAdmin, tokenOf(viewer)),
  ]),
  allow('token.revoke', 'a viewer, their own token', viewer, tokenOf(viewer)),
  allow('token.revoke', "an admin, someone else's token", admin, tokenOf(developer)),
  allow('token.revoke', "a super_admin, someone else's token", superAdmin, tokenOf(admin)),
  refuse('token.revoke', "a developer, someone else's token", developer, tokenOf(viewer)),
];

describe('can', () => {
  it.each(CASES)('$action: $who → $allowed', ({ action, actor, resource, allowed }) => {
    expect(can(actor, action, resource)).toBe(allowed);
  });

  it.each(CASES.filter((c) => c.allowed))('$action: refuses $who once disabled', ({ action, actor, resource }) => {
    expect(can({ ...actor, disabled: true }, action, resource)).toBe(false);
  });

  it('has an allowed and a refused case for every action', () => {
    const has = (action: Action, allowed: boolean) => CASES.some((c) => c.action === action && c.allowed === allowed);
    const missing = ACTIONS.filter((action) => !has(action, true) || !has(action, false));
    expect(missing).toEqual([]);
  });

  it('refuses a resource of the wrong type (and the types refuse it too)', () => {
    // @ts-expect-error audit.read is checked against the platform, not a project
    expect(can(admin, 'audit.read', ownedBy(admin))).toBe(false);
    // @ts-expect-error project.read is checked against a project, not the platform
    expect(can(superAdmin, 'project.read', platform)).toBe(false);
    // @ts-expect-error team.read is checked against a team
    expect(can(developer, 'team.read', ownedBy(developer))).toBe(false);
  });

  it.each(['constructor', 'toString', '__proto__', 'project.*', ''])('refuses the unknown action %j', (action) => {
    expect(can(superAdmin, action as Action, ownedBy(superAdmin))).toBe(false);
    expect(can(superAdmin, action as Action, platform)).toBe(false);
  });

  it('refuses an unknown platform role, even to read its own project', () => {
    const root = { id: 'u-root', role: 'root' as PlatformRole };
    expect(can(root, 'project.read', ownedBy(root))).toBe(false);
    expect(canAssignRole(root, 'viewer')).toBe(false);
  });

  it('ignores a team role on a project that has no team', () => {
    const inconsistent: Project = { type: 'project', ownerId: 'u-someone-else', teamId: null, teamRole: 'owner' };
    expect(can(developer, 'project.read', inconsistent)).toBe(false);
  });

  it('cannot be loosened at run time', () => {
    const rule: Rule = PERMISSIONS['audit.read'];
    expect(() => (rule.grants[0]?.roles as PlatformRole[]).push('viewer')).toThrow(TypeError);
    const loosened = { 'audit.read': PERMISSIONS['user.sign_out_everywhere'] };
    expect(() => Object.assign(PERMISSIONS, loosened)).toThrow(TypeError);
    expect(() => (PLATFORM_ROLES as unknown as string[]).push('root')).toThrow(TypeError);
    expect(can(viewer, 'audit.read', platform)).toBe(false);
  });
});

describe('canAssignRole', () => {
  it.each<[Actor, PlatformRole, boolean]>([
    [superAdmin, 'super_admin', true],
    [superAdmin, 'viewer', true],
    [admin, 'admin', true],
    [admin, 'developer', true],
    [admin, 'viewer', true],
    [admin, 'super_admin', false],
    [developer, 'viewer', false],
    [viewer, 'viewer', false],
    [{ ...superAdmin, disabled: true }, 'viewer', false],
  ])('%o may give %s: %s', (actor, role, allowed) => {
    expect(canAssignRole(actor, role)).toBe(allowed);
  });

  it('throws forbidden from assertCanAssignRole', () => {
    expect(() => assertCanAssignRole(admin, 'developer')).not.toThrow();
    expect(() => assertCanAssignRole(admin, 'super_admin')).toThrow(
      new AppError('forbidden', 'You are not allowed to give the role super_admin.'),
    );
  });
});

describe('assertCan', () => {
  const forbidden = (fn: () => void): AppError => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    }
    throw new Error('expected assertCan to throw');
  };

  it('returns quietly when allowed', () => {
    expect(() => assertCan(developer, 'application.deploy', ownedBy(developer))).not.toThrow();
  });

  it('throws forbidden, naming the action and nothing about the resource', () => {
    const secret: Project = { type: 'project', ownerId: 'u-owner-7f3a', teamId: 't-9c1e', teamRole: 'viewer' };
    const error = forbidden(() => assertCan(developer, 'project.delete', secret));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('You are not allowed to delete this project.');
    expect(error.message).not.toMatch(/7f3a|9c1e|viewer/);
  });

  it('tells an admin why they cannot act on their own account', () => {
    const error = forbidden(() => assertCan(admin, 'user.disable', userOf(admin)));
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/your own account.*ask another administrator/);
  });

  it('tells a disabled actor their account is disabled', () => {
    const error = forbidden(() => assertCan({ ...developer, disabled: true }, 'project.read', ownedBy(developer)));
    expect(error.message).toBe('This account is disabled.');
  });
});

describe('docs/permissions.md', () => {
  const doc = readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
  const actionOf = (row: string) => /^\| `([^`]+)`/.exec(row)?.[1];

  const roles = (list: readonly PlatformRole[]) =>
    list.length === PLATFORM_ROLES.length ? 'any role' : list.map((role) => `\`${role}\``).join('/');
  const expectedRow = (action: Action) => {
    const rule: Rule = PERMISSIONS[action];
    const who = rule.grants
      .map(({ roles: list, relation }) => (relation.text ? `${roles(list)} — ${relation.text}` : roles(list)))
      .join('; **or** ');
    return `| \`${action}\` | ${rule.on} | ${who} |`;
  };

  it('lists every action exactly once, and nothing else', () => {
    expect(rows.map(actionOf).sort()).toEqual([...ACTIONS].sort());
  });

  it.each(ACTIONS)('describes %s exactly as the code decides it', (action) => {
    expect(rows.find((row) => actionOf(row) === action)).toBe(expectedRow(action));
  });
});
