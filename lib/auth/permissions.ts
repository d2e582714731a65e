// can(actor, action, resource): the one permission check behind every server action, route handler and page.
// Pure data and functions (no Prisma, no Next.js), so it runs anywhere and is tested row by row.
// PERMISSIONS below IS the rule: docs/permissions.md shows it as a table and permissions.test.ts fails when the two
// disagree. Project visibility follows the spec's row-level security exactly, with no admin bypass (see the doc).
import { AppError } from '@/lib/errors';

export const PLATFORM_ROLES = Object.freeze(['super_admin', 'admin', 'developer', 'viewer'] as const);
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

export const TEAM_ROLES = Object.freeze(['owner', 'admin', 'member', 'viewer'] as const);
export type TeamRole = (typeof TEAM_ROLES)[number];

/** The signed-in user (or API token owner) asking. A disabled actor may do nothing at all. */
export type Actor = { id: string; role: PlatformRole; disabled?: boolean };

/**
 * What an action is checked against. `teamRole` is always the ACTOR's role in the team concerned (null when not a
 * member). Applications, databases, domains, env vars, volumes, deployments and logs are checked against their
 * project.
 */
export type Resource =
  | { type: 'platform' }
  | { type: 'project'; ownerId: string; teamId: string | null; teamRole: TeamRole | null }
  | { type: 'team'; teamRole: TeamRole | null }
  | { type: 'user'; id: string; role: PlatformRole }
  | { type: 'token'; userId: string };
export type ResourceType = Resource['type'];
export type ResourceOf<T extends ResourceType> = Extract<Resource, { type: T }>;

export const ACTIONS = Object.freeze([
  'project.read',
  'project.create',
  'project.update',
  'project.delete',
  'project.move_team',
  'application.read',
  'application.create',
  'application.update',
  'application.delete',
  'application.deploy',
  'application.logs',
  'env.read',
  'env.write',
  'env.reveal_secret',
  'volume.write',
  'database.read',
  'database.write',
  'domain.write',
  'team.read',
  'team.create',
  'team.update',
  'team.delete',
  'team.manage_members',
  'team.leave',
  'user.list',
  'user.create',
  'user.update_role',
  'user.disable',
  'user.delete',
  'user.sign_out_everywhere',
  'audit.read',
  'settings.manage',
  'token.create',
  'token.list',
  'token.revoke',
] as const);
export type Action = (typeof ACTIONS)[number];

/** How the actor stands to the resource, with the words docs/permissions.md uses for it. */
export type Relation<T extends ResourceType = ResourceType> = {
  readonly on: T;
  readonly text: string;
  readonly holds: (actor: Actor, resource: Resource) => boolean;
};

/** One way to be allowed: a platform role among `roles` AND the relation holding. */
export type Grant<T extends ResourceType = ResourceType> = {
  readonly roles: readonly PlatformRole[];
  readonly relation: Relation<T>;
};

/** An action is allowed when ANY of its grants is met. `what` completes "You are not allowed to …". */
export type Rule<T extends ResourceType = ResourceType> = {
  readonly on: T;
  readonly what: string;
  readonly grants: readonly Grant<T>[];
};

const isResource = <T extends ResourceType>(resource: Resource, type: T): resource is ResourceOf<T> =>
  resource.type === type;

function relation<T extends ResourceType>(
  on: T,
  text: string,
  holds: (actor: Actor, resource: ResourceOf<T>) => boolean,
): Relation<T> {
  return Object.freeze({
    on,
    text,
    holds: (actor: Actor, resource: Resource) => isResource(resource, on) && holds(actor, resource),
  });
}

type GrantSpec<T extends ResourceType> = readonly [roles: readonly PlatformRole[], relation: Relation<T>];

function rule<T extends ResourceType>(what: string, first: GrantSpec<T>, ...more: GrantSpec<T>[]): Rule<T> {
  const grants = [first, ...more].map(([roles, relation]) => Object.freeze({ roles, relation }));
  const on = first[1].on;
  if (grants.some((grant) => grant.relation.on !== on)) throw new Error(`Rule "${what}" mixes resource types.`);
  return Object.freeze({ on, what, grants: Object.freeze(grants) });
}

const list = (roles: readonly string[]) => roles.map((role) => `\`${role}\``).join('/');

// Platform roles.
const ANY_ROLE = PLATFORM_ROLES;
const NOT_VIEWER = Object.freeze(['super_admin', 'admin', 'developer'] as const);
const ADMINS = Object.freeze(['super_admin', 'admin'] as const);

// Team roles: who writes to a team's projects (the RLS policies' "member who may write") and who manages the team.
/** The team roles that may write in a team's projects (and put projects in the team). */
export const WRITING_TEAM_ROLES = Object.freeze(['owner', 'admin', 'member'] as const);
const MANAGING_TEAM_ROLES = Object.freeze(['owner', 'admin'] as const);

type ProjectResource = ResourceOf<'project'>;
const ownsProject = (actor: Actor, project: ProjectResource) => project.ownerId === actor.id;
const teamRoleIn = (roles: readonly TeamRole[], teamRole: TeamRole | null) =>
  teamRole !== null && roles.includes(teamRole);
const projectTeamRoleIn = (roles: readonly TeamRole[], project: ProjectResource) =>
  project.teamId !== null && teamRoleIn(roles, project.teamRole);

const anyone = relation('platform', '', () => true);
const projectMember = relation(
  'project',
  'project owner, or member of its team (any team role)',
  (actor, project) => ownsProject(actor, project) || projectTeamRoleIn(TEAM_ROLES, project),
);
const projectWriter = relation(
  'project',
  `project owner, or team ${list(WRITING_TEAM_ROLES)}`,
  (actor, project) => ownsProject(actor, project) || projectTeamRoleIn(WRITING_TEAM_ROLES, project),
);
const projectManager = relation(
  'project',
  `project owner, or team ${list(MANAGING_TEAM_ROLES)}`,
  (actor, project) => ownsProject(actor, project) || projectTeamRoleIn(MANAGING_TEAM_ROLES, project),
);
const projectOwner = relation('project', 'project owner', ownsProject);
const teamMember = relation('team', 'member of the team (any team role)', (_, team) =>
  teamRoleIn(TEAM_ROLES, team.teamRole),
);
const teamManager = relation('team', `team ${list(MANAGING_TEAM_ROLES)}`, (_, team) =>
  teamRoleIn(MANAGING_TEAM_ROLES, team.teamRole),
);
const teamOwner = relation('team', 'team `owner`', (_, team) => team.teamRole === 'owner');
const self = relation('user', 'their own account', (actor, user) => user.id === actor.id);
// Lock-out protection (never yourself) and no reaching above your own rank.
const otherUser = relation(
  'user',
  'another user (a `super_admin` only if the actor is one)',
  (actor, user) => user.id !== actor.id && (user.role !== 'super_admin' || actor.role === 'super_admin'),
);
const ownToken = relation('token', 'their own tokens', (actor, token) => token.userId === actor.id);
const anyToken = relation('token', "any user's token", () => true);

// Each row: rule(what, [platform roles, relation], …) allows the action when ANY [roles, relation] pair holds.
export const PERMISSIONS = Object.freeze({
  'project.read': rule('see this project', [ANY_ROLE, projectMember]),
  'project.create': rule('create projects', [NOT_VIEWER, anyone]),
  'project.update': rule('change this project', [NOT_VIEWER, projectWriter]),
  'project.delete': rule('delete this project', [NOT_VIEWER, projectOwner]),
  'project.move_team': rule('move this project to another team', [NOT_VIEWER, projectOwner]),
  'application.read': rule('see the applications of this project', [ANY_ROLE, projectMember]),
  'application.create': rule('create applications in this project', [NOT_VIEWER, projectWriter]),
  'application.update': rule('change applications in this project', [NOT_VIEWER, projectWriter]),
  'application.delete': rule('delete applications in this project', [NOT_VIEWER, projectWriter]),
  'application.deploy': rule('deploy applications in this project', [NOT_VIEWER, projectWriter]),
  'application.logs': rule('see the logs of this project', [ANY_ROLE, projectMember]),
  'env.read': rule('see the environment of this project', [ANY_ROLE, projectMember]),
  'env.write': rule('change the environment of this project', [NOT_VIEWER, projectWriter]),
  'env.reveal_secret': rule('reveal secret values in this project', [NOT_VIEWER, projectManager]),
  'volume.write': rule('change volumes in this project', [NOT_VIEWER, projectWriter]),
  'database.read': rule('see the databases of this project', [ANY_ROLE, projectMember]),
  'database.write': rule('change the databases of this project', [NOT_VIEWER, projectWriter]),
  'domain.write': rule('change the domains of this project', [NOT_VIEWER, projectWriter]),
  'team.read': rule('see this team', [ANY_ROLE, teamMember]),
  'team.create': rule('create teams', [NOT_VIEWER, anyone]),
  'team.update': rule('change this team', [NOT_VIEWER, teamManager]),
  'team.delete': rule('delete this team', [NOT_VIEWER, teamOwner]),
  'team.manage_members': rule('manage the members of this team', [NOT_VIEWER, teamManager]),
  'team.leave': rule('leave this team', [ANY_ROLE, teamMember]),
  'user.list': rule('list users', [ADMINS, anyone]),
  'user.create': rule('create users', [ADMINS, anyone]),
  'user.update_role': rule("change this user's role", [ADMINS, otherUser]),
  'user.disable': rule('disable this user', [ADMINS, otherUser]),
  'user.delete': rule('delete this user', [ADMINS, otherUser]),
  'user.sign_out_everywhere': rule('sign this user out everywhere', [ANY_ROLE, self], [ADMINS, otherUser]),
  'audit.read': rule('read the audit log', [ADMINS, anyone]),
  'settings.manage': rule('change the panel settings', [ADMINS, anyone]),
  'token.create': rule('create API tokens for this user', [ANY_ROLE, ownToken]),
  'token.list': rule("list this user's API tokens", [ANY_ROLE, ownToken]),
  'token.revoke': rule('revoke this API token', [ANY_ROLE, ownToken], [ADMINS, anyToken]),
} satisfies Record<Action, Rule>);

/** The resource an action is checked against, so `can(u, 'audit.read', project)` does not compile. */
export type ResourceFor<A extends Action> = ResourceOf<(typeof PERMISSIONS)[A]['on']>;

/** Whether `actor` may do `action` on `resource`. Anything unexpected (unknown action or role, wrong resource): no. */
export function can<A extends Action>(actor: Actor, action: A, resource: ResourceFor<A>): boolean {
  if (actor.disabled) return false;
  if (!Object.hasOwn(PERMISSIONS, action)) return false;
  const { on, grants }: Rule = PERMISSIONS[action];
  if (resource.type !== on) return false;
  return grants.some(({ roles, relation }) => roles.includes(actor.role) && relation.holds(actor, resource));
}

/** can(), throwing AppError('forbidden') with a message that names the action but nothing about the resource. */
export function assertCan<A extends Action>(actor: Actor, action: A, resource: ResourceFor<A>): void {
  if (can(actor, action, resource)) return;
  if (actor.disabled) throw new AppError('forbidden', 'This account is disabled.');
  const target: Resource = resource;
  const lockOut =
    target.type === 'user' &&
    target.id === actor.id &&
    action !== 'user.sign_out_everywhere' &&
    ADMINS.some((role) => role === actor.role);
  if (lockOut) {
    throw new AppError(
      'forbidden',
      'You cannot change the role of, disable or delete your own account (so that nobody locks themselves out): ' +
        'ask another administrator.',
    );
  }
  const what = Object.hasOwn(PERMISSIONS, action) ? PERMISSIONS[action].what : 'do this';
  throw new AppError('forbidden', `You are not allowed to ${what}.`);
}

/** Which roles each platform role may give (user.create, user.update_role): an admin never makes a super_admin. */
export const ASSIGNABLE_ROLES: Readonly<Record<PlatformRole, readonly PlatformRole[]>> = Object.freeze({
  super_admin: ANY_ROLE,
  admin: Object.freeze(['admin', 'developer', 'viewer'] as const),
  developer: Object.freeze([] as const),
  viewer: Object.freeze([] as const),
});

/** Whether `actor` may give `role` to a user; checked beside can(actor, 'user.update_role' | 'user.create', …). */
export function canAssignRole(actor: Actor, role: PlatformRole): boolean {
  if (actor.disabled || !Object.hasOwn(ASSIGNABLE_ROLES, actor.role)) return false;
  return ASSIGNABLE_ROLES[actor.role].includes(role);
}

export function assertCanAssignRole(actor: Actor, role: PlatformRole): void {
  if (canAssignRole(actor, role)) return;
  throw new AppError(
    'forbidden',
    actor.disabled ? 'This account is disabled.' : `You are not allowed to give the role ${role}.`,
  );
}
