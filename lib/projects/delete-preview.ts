// What deleting a project would remove, and what stops it: shown on the project page before the person confirms, and
// counted again by deleteProject for its audit row. Every query here is scoped by a project id the caller has already
// authorized; row-level security on the child tables (through their project) is the second wall.
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { requireProjectAccess } from '@/lib/projects/access';

export type CascadeCounts = {
  applications: number;
  /** Of `applications`, how many are archived (they go too). */
  archivedApplications: number;
  databases: number;
  domains: number;
  envVars: number;
  deployments: number;
  backups: number;
};

export type BlockingVolume = {
  id: string;
  name: string;
  /** What mounts it; null when it is detached. */
  attachedTo: { type: 'application' | 'database'; name: string } | null;
};

export type DeletePreview = { name: string; counts: CascadeCounts; volumes: BlockingVolume[] };

/** Counted one after another: Prisma would run them concurrently on this one transaction's connection. */
export async function countCascade(tx: Tx, projectId: string): Promise<CascadeCounts> {
  const applications = await tx.application.count({ where: { projectId } });
  const archivedApplications = await tx.application.count({ where: { projectId, deletedAt: { not: null } } });
  const databases = await tx.database.count({ where: { projectId } });
  const domains = await tx.domain.count({ where: { projectId } });
  const envVars = await tx.envVar.count({ where: { application: { projectId } } });
  const deployments = await tx.deployment.count({ where: { application: { projectId } } });
  const backups = await tx.backup.count({ where: { database: { projectId } } });
  return { applications, archivedApplications, databases, domains, envVars, deployments, backups };
}

/** Every volume of the project: its own (detached ones too) and any mounted by its applications or databases. */
export async function blockingVolumes(tx: Tx, projectId: string): Promise<BlockingVolume[]> {
  const rows = await tx.volume.findMany({
    where: { OR: [{ projectId }, { application: { projectId } }, { database: { projectId } }] },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, application: { select: { name: true } }, database: { select: { name: true } } },
  });
  return rows.map(({ id, name, application, database }) => ({
    id,
    name,
    attachedTo: application
      ? { type: 'application', name: application.name }
      : database
        ? { type: 'database', name: database.name }
        : null,
  }));
}

const MAX_NAMED = 10;

export function describeVolume(volume: BlockingVolume): string {
  return volume.attachedTo
    ? `${volume.name} (attached to ${volume.attachedTo.type} ${volume.attachedTo.name})`
    : `${volume.name} (detached)`;
}

/** The refusal's message: which volumes, and what mounts each. */
export function describeBlockingVolumes(volumes: BlockingVolume[]): string {
  if (volumes.length === 0) return 'This project still has volumes: delete them first, then try again.';
  const named = volumes.slice(0, MAX_NAMED).map(describeVolume).join(', ');
  const more = volumes.length > MAX_NAMED ? ` and ${volumes.length - MAX_NAMED} more` : '';
  // Detaching alone is not enough: a detached volume stays in the project (and keeps its data).
  return `Volumes hold data and are never deleted with their project. Delete these volumes first (detach an attached one, then delete it): ${named}${more}.`;
}

/** What deleting the project would remove and which volumes block it; only for someone allowed to delete it. */
export async function deletePreview(tx: Tx, ctx: WorkContext, projectId: string): Promise<DeletePreview> {
  const access = await requireProjectAccess(tx, ctx, projectId, 'project.delete');
  return {
    name: access.name,
    counts: await countCascade(tx, projectId),
    volumes: await blockingVolumes(tx, projectId),
  };
}
