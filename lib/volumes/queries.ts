// Reading volumes as their pages show them: each with its owner's name, bounded lists. volumes has no row-level
// security (D7): every read here comes after requireProjectAccess/requireApplicationAccess and is scoped by the
// authorized project or application id.
import { requireApplicationAccess, type ApplicationAccess } from '@/lib/applications/access';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import type { Prisma } from '@/lib/generated/prisma/client';
import { requireProjectAccess, type ProjectAccess } from '@/lib/projects/access';

/** A page shows at most this many volumes (and attach targets); `truncated` says when there were more. */
export const VOLUME_LIST_LIMIT = 500;

export type VolumeOwnerView = { kind: 'application' | 'database'; id: string; name: string; archived: boolean };
export type VolumeView = {
  id: string;
  name: string;
  type: string;
  sizeGb: number;
  mountPath: string;
  createdAt: Date;
  /** Null when detached. */
  owner: VolumeOwnerView | null;
};

export const VOLUME_SELECT = {
  id: true,
  name: true,
  type: true,
  sizeGb: true,
  mountPath: true,
  createdAt: true,
  applicationId: true,
  databaseId: true,
} satisfies Prisma.VolumeSelect;
export type VolumeRow = Prisma.VolumeGetPayload<{ select: typeof VOLUME_SELECT }>;

/**
 * The project's volumes. project_id is filled by a trigger on every write (D24); the owner's project is also
 * accepted so a row written before that column existed is still found through its owner.
 */
export const inProject = (projectId: string): Prisma.VolumeWhereInput => ({
  OR: [{ projectId }, { application: { projectId } }, { database: { projectId } }],
});

const ORDER = [{ name: 'asc' }, { id: 'asc' }] satisfies Prisma.VolumeOrderByWithRelationInput[];

/** Owner names in two reads (not nested relation reads, which Prisma may run concurrently on one connection). */
export async function withOwners(tx: Tx, projectId: string, rows: VolumeRow[]): Promise<VolumeView[]> {
  const appIds = [...new Set(rows.flatMap((row) => (row.applicationId ? [row.applicationId] : [])))];
  const dbIds = [...new Set(rows.flatMap((row) => (row.databaseId ? [row.databaseId] : [])))];
  const apps = appIds.length
    ? await tx.application.findMany({
        where: { id: { in: appIds }, projectId },
        select: { id: true, name: true, deletedAt: true },
      })
    : [];
  const dbs = dbIds.length
    ? await tx.database.findMany({ where: { id: { in: dbIds }, projectId }, select: { id: true, name: true } })
    : [];
  const names = new Map<string, VolumeOwnerView>();
  for (const app of apps)
    names.set(app.id, { kind: 'application', id: app.id, name: app.name, archived: app.deletedAt !== null });
  for (const db of dbs) names.set(db.id, { kind: 'database', id: db.id, name: db.name, archived: false });
  return rows.map(({ applicationId, databaseId, ...volume }) => {
    const ownerId = applicationId ?? databaseId;
    const known = ownerId ? names.get(ownerId) : undefined;
    // An owner outside the project cannot happen (the trigger refuses it); show it as unnamed rather than trust it.
    const owner: VolumeOwnerView | null = ownerId
      ? (known ?? {
          kind: applicationId ? 'application' : 'database',
          id: ownerId,
          name: '(another project)',
          archived: false,
        })
      : null;
    return { ...volume, owner };
  });
}

async function bounded(tx: Tx, projectId: string, where: Prisma.VolumeWhereInput) {
  const rows = await tx.volume.findMany({ where, orderBy: ORDER, take: VOLUME_LIST_LIMIT + 1, select: VOLUME_SELECT });
  return {
    volumes: await withOwners(tx, projectId, rows.slice(0, VOLUME_LIST_LIMIT)),
    truncated: rows.length > VOLUME_LIST_LIMIT,
  };
}

export type ApplicationVolumes = {
  app: ApplicationAccess;
  /** Mounted by this application. */
  attached: VolumeView[];
  /** The project's detached volumes, which this application could mount. */
  attachable: VolumeView[];
  truncated: boolean;
};

export async function listVolumesForApplication(
  tx: Tx,
  ctx: WorkContext,
  input: { applicationId: string },
): Promise<ApplicationVolumes> {
  const app = await requireApplicationAccess(tx, ctx, input.applicationId, 'application.read');
  const attached = await bounded(tx, app.project.id, { applicationId: app.id });
  const attachable = await bounded(tx, app.project.id, {
    projectId: app.project.id,
    applicationId: null,
    databaseId: null,
  });
  return {
    app,
    attached: attached.volumes,
    attachable: attachable.volumes,
    truncated: attached.truncated || attachable.truncated,
  };
}

export type VolumeTarget = { id: string; name: string };
export type ProjectVolumes = {
  project: ProjectAccess;
  volumes: VolumeView[];
  truncated: boolean;
  /** What a volume may be attached to: the project's live applications and its databases. */
  targets: { applications: VolumeTarget[]; databases: VolumeTarget[] };
};

export async function listVolumesForProject(
  tx: Tx,
  ctx: WorkContext,
  input: { projectId: string },
): Promise<ProjectVolumes> {
  const project = await requireProjectAccess(tx, ctx, input.projectId, 'project.read');
  const { volumes, truncated } = await bounded(tx, project.id, inProject(project.id));
  const applications = await tx.application.findMany({
    where: { projectId: project.id, deletedAt: null },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: VOLUME_LIST_LIMIT,
    select: { id: true, name: true },
  });
  const databases = await tx.database.findMany({
    where: { projectId: project.id },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: VOLUME_LIST_LIMIT,
    select: { id: true, name: true },
  });
  return { project, volumes, truncated, targets: { applications, databases } };
}
