// One project as its page shows it, for one user. Visibility is checked twice: the `where` below is the
// application-level check (owner, or member of the project's team: the spec's RLS policy written in Prisma), and the
// caller runs it inside asUser() so PostgreSQL's row-level security on projects applies as well (decision D7).
// Secrets are never selected: no databases.connection_string, nothing from certificates, env vars or git sources.
import type { ResourceOf, TeamRole } from '@/lib/auth/permissions';
import type { Tx } from '@/lib/db/context';
import { isUuid } from '@/lib/validation/ids';

export type ProjectApplication = {
  id: string;
  name: string;
  type: string;
  status: string;
  replicas: number;
  updatedAt: Date;
};

export type ProjectDatabase = { id: string; name: string; type: string; status: string; version: string | null };

export type ProjectDomain = {
  id: string;
  domain: string;
  targetType: string;
  targetId: string;
  /** The application's or database's name; null if the target is gone (or archived). */
  targetName: string | null;
  tlsEnabled: boolean;
};

export type ProjectView = {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  owner: { id: string; username: string };
  team: { id: string; name: string } | null;
  /** The reader's own role in the project's team; null without a team or membership. */
  teamRole: TeamRole | null;
  /** One page of the active applications, by name; `nextApplications` is where the next page starts. */
  applications: ProjectApplication[];
  applicationCount: number;
  nextApplications: { name: string; id: string } | null;
  /** Archived (soft-deleted) applications, newest first: their pages offer Restore. */
  archivedApplications: { id: string; name: string; deletedAt: Date }[];
  databases: ProjectDatabase[];
  domains: ProjectDomain[];
  /** Volumes of the project, attached or not (they live on their own page). */
  volumeCount: number;
};

/** The resource to pass to can(): built from the row read as the user, with their own team role. */
export function projectResource(project: ProjectView): ResourceOf<'project'> {
  return { type: 'project', ownerId: project.owner.id, teamId: project.team?.id ?? null, teamRole: project.teamRole };
}

// metadata is free-form JSON: show only the string entries of its tags array, whatever else was stored.
function tagsOf(metadata: unknown): string[] {
  const tags = metadata && typeof metadata === 'object' ? (metadata as { tags?: unknown }).tags : undefined;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** The project when `userId` owns it or belongs to its team; null otherwise, and for an id that is not a uuid. */
export const APPLICATIONS_PAGE = 100;
const ARCHIVED_SHOWN = 50;

export type ProjectPageOptions = { applicationsAfter?: { name: string; id: string }; applicationsLimit?: number };

export async function getProjectForUser(
  tx: Tx,
  projectId: string,
  userId: string,
  options: ProjectPageOptions = {},
): Promise<ProjectView | null> {
  if (!isUuid(projectId) || !isUuid(userId)) return null;
  const row = await tx.project.findFirst({
    where: { id: projectId, OR: [{ ownerId: userId }, { team: { members: { some: { userId } } } }] },
    select: {
      id: true,
      name: true,
      description: true,
      metadata: true,
      createdAt: true,
      updatedAt: true,
      owner: { select: { id: true, username: true } },
      team: { select: { id: true, name: true, members: { where: { userId }, select: { role: true } } } },
    },
  });
  if (!row) return null;

  // Read one after another, only once the project is known visible (the child tables' row-level security goes
  // through it too), and Prisma would run nested relation reads concurrently on this one connection.
  // One page of applications (keyset on name, id): a project may hold thousands, the page shows APPLICATIONS_PAGE.
  const limit = options.applicationsLimit ?? APPLICATIONS_PAGE;
  const after = options.applicationsAfter;
  const page = await tx.application.findMany({
    where: {
      projectId,
      deletedAt: null,
      ...(after ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] } : {}),
    },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: limit + 1,
    select: { id: true, name: true, type: true, status: true, replicas: true, updatedAt: true },
  });
  const applications = page.slice(0, limit);
  const last = applications.at(-1);
  const nextApplications = page.length > limit && last ? { name: last.name, id: last.id } : null;
  const applicationCount = await tx.application.count({ where: { projectId, deletedAt: null } });
  const archived = await tx.application.findMany({
    where: { projectId, deletedAt: { not: null } },
    orderBy: [{ deletedAt: 'desc' }, { id: 'asc' }],
    take: ARCHIVED_SHOWN,
    select: { id: true, name: true, deletedAt: true },
  });
  const databases = await tx.database.findMany({
    where: { projectId },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, type: true, status: true, version: true },
  });
  const domains = await tx.domain.findMany({
    where: { projectId },
    orderBy: { domain: 'asc' },
    select: { id: true, domain: true, targetType: true, targetId: true, tlsEnabled: true },
  });

  const volumeCount = await tx.volume.count({ where: { projectId } });

  // Target names of the domains, read for exactly those targets (the page of applications may not hold them).
  const targetIds = domains.filter((domain) => domain.targetType === 'application').map((domain) => domain.targetId);
  const targets = targetIds.length
    ? await tx.application.findMany({
        where: { projectId, deletedAt: null, id: { in: targetIds } },
        select: { id: true, name: true },
      })
    : [];
  const names = new Map<string, string>();
  for (const app of targets) names.set(`application:${app.id}`, app.name);
  for (const db of databases) names.set(`database:${db.id}`, db.name);

  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: tagsOf(row.metadata),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    owner: row.owner,
    team: row.team ? { id: row.team.id, name: row.team.name } : null,
    teamRole: (row.team?.members[0]?.role as TeamRole | undefined) ?? null,
    applications,
    applicationCount,
    nextApplications,
    archivedApplications: archived.map((app) => ({ id: app.id, name: app.name, deletedAt: app.deletedAt! })),
    databases,
    domains: domains.map((domain) => ({
      ...domain,
      targetName: names.get(`${domain.targetType}:${domain.targetId}`) ?? null,
    })),
    volumeCount,
  };
}

export type TeamChoice = { id: string; name: string; role: TeamRole };

/** The teams `userId` may put projects in (owner, admin or member there), by name: the choices of "Move to team". */
export async function listWritableTeams(tx: Tx, userId: string): Promise<TeamChoice[]> {
  if (!isUuid(userId)) return [];
  const rows = await tx.teamMember.findMany({
    where: { userId, role: { in: ['owner', 'admin', 'member'] } },
    orderBy: [{ team: { name: 'asc' } }, { teamId: 'asc' }],
    select: { role: true, team: { select: { id: true, name: true } } },
  });
  return rows.map(({ role, team }) => ({ ...team, role: role as TeamRole }));
}
