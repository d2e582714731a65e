// Volumes: what a person may submit, shared by the forms, their actions and lib/volumes (which parses again).
// The database repeats the name, type, size and path-shape rules as CHECKs (check_volume_name, check_mount_path…);
// the system-path rule lives only here, because it is policy about containers, not a property of the data.
//
// Only the table's columns are accepted: nfs (server, export) and s3 (bucket) settings have nowhere to be stored, so
// only the type is recorded, and the engine mounts docker_volume volumes only (lib/swarm/service-spec.ts refuses the
// others; the create form offers docker_volume alone).
import { z } from 'zod';

import { idSchema, isUuid } from './ids';
import { describeCharacter, preview, volumeNameSchema } from './names';
import { projectIdSchema } from './project';
import { MOUNT_PATH_MAX, VOLUME_SIZE_MAX, VOLUME_SIZE_MIN, VOLUME_TYPES } from './rules';

export { VOLUME_NAME_RULE, volumeNameSchema } from './names';

export {
  MOUNT_PATH_MAX,
  VOLUME_SIZE_MAX,
  VOLUME_SIZE_MIN,
  VOLUME_TYPE_LABELS,
  VOLUME_TYPES,
  type VolumeType,
} from './rules';

export const volumeTypeSchema = z.enum(VOLUME_TYPES, { message: 'Choose a volume type: docker_volume, nfs or s3.' });

const SIZE_RULE = `Give the size as a whole number of GB from ${VOLUME_SIZE_MIN} to ${VOLUME_SIZE_MAX} (10 TB).`;

/** Whole GB. Forms send text: only plain digits are read as a number ("1e3", "0x10", "5.5" are refused). */
export const volumeSizeSchema = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*[0-9]{1,6}\s*$/.test(value) ? Number(value) : value),
  z.number(SIZE_RULE).int(SIZE_RULE).min(VOLUME_SIZE_MIN, SIZE_RULE).max(VOLUME_SIZE_MAX, SIZE_RULE),
);

export const MOUNT_PATH_RULE =
  'Use an absolute path inside the container, such as /data or /var/lib/app: letters A–Z a–z, digits 0–9 and . _ - @ + = separated by single slashes, at most 500 characters.';

// No colon on purpose: Docker's short volume syntax and compose files read `name:/path:mode`, so a colon in a
// path would be read as a separator the day one is written there. No spaces, quotes or shell characters either.
const PATH_CHARACTER = /^[A-Za-z0-9._@+=\/-]$/;

/**
 * Paths refused exactly, and paths refused together with everything beneath them.
 * - Exact: mounting a volume over these would hide the image's own programs, libraries or configuration and break
 *   the container, yet their subdirectories are ordinary volume targets (/etc/nginx/conf.d, /usr/share/nginx/html).
 * - Prefix: kernel and runtime filesystems Docker itself mounts (/proc, /sys, /dev, /dev/shm), where Swarm puts
 *   secrets (/run/secrets) and where the Docker socket lives; nothing under them is ever a place for data.
 * - Any path with a `docker.sock` segment: a name that only makes sense for handing a container the Docker socket,
 *   which is root on the host.
 */
export const SYSTEM_PATHS_EXACT = ['/', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/usr', '/boot'] as const;
export const SYSTEM_PATHS_PREFIX = ['/proc', '/sys', '/dev', '/run', '/var/run', '/var/lib/docker'] as const;

function systemPathOf(path: string): string | null {
  if ((SYSTEM_PATHS_EXACT as readonly string[]).includes(path)) return path;
  const prefix = SYSTEM_PATHS_PREFIX.find((p) => path === p || path.startsWith(`${p}/`));
  if (prefix) return `${prefix} and everything beneath it`;
  if (path.split('/').includes('docker.sock')) return 'the Docker socket';
  return null;
}

/** The first thing wrong with a mount path, or null. Refuses rather than repairs: what is shown is what is stored. */
export function mountPathProblem(path: string): string | null {
  if (path.length === 0) return `Give a mount path. ${MOUNT_PATH_RULE}`;
  if (path.length > MOUNT_PATH_MAX)
    return `That mount path is too long (${path.length} characters). ${MOUNT_PATH_RULE}`;
  const bad = [...path].find((char) => !PATH_CHARACTER.test(char));
  if (bad !== undefined) return `A mount path cannot contain ${describeCharacter(bad)}. ${MOUNT_PATH_RULE}`;
  if (!path.startsWith('/')) return `“${preview(path)}” is relative: a mount path starts with / (for example /data).`;
  if (path.includes('//')) return 'A mount path cannot contain // (an empty segment): write single slashes.';
  if (path.length > 1 && path.endsWith('/'))
    return `Remove the trailing slash: write ${preview(path.replace(/\/+$/, ''))}.`;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return 'A mount path cannot contain . or .. segments: write the full path it means, without them.';
  }
  const system = systemPathOf(path);
  if (system)
    return `${system === path ? path : system} is a system path and cannot be a mount path: choose a path of your own, such as /data.`;
  return null;
}

export const mountPathSchema = z.string('Give a mount path.').superRefine((value, ctx) => {
  const problem = mountPathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A volume id comes from a select: a bad one means nothing usable was chosen. */
export const volumeIdSchema = idSchema('volume', 'Choose a volume.');

export type VolumeOwner = { kind: 'application' | 'database'; id: string };
const OWNER_KINDS = ['application', 'database'] as const;

/** "application:<uuid>" or "database:<uuid>" (one form field, one select); blank means detached. */
export const volumeOwnerSchema = z
  .string()
  .nullish()
  .transform((value, ctx): VolumeOwner | null => {
    if (!value) return null;
    const [kind, id, ...rest] = value.toLowerCase().split(':');
    const known = OWNER_KINDS.find((owner) => owner === kind);
    if (!known || !isUuid(id) || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'Choose an application or database of this project.' });
      return z.NEVER;
    }
    return { kind: known, id };
  });

export const ownerValue = (owner: VolumeOwner): string => `${owner.kind}:${owner.id}`;

export const createVolumeSchema = z.object({
  projectId: projectIdSchema,
  owner: volumeOwnerSchema,
  name: volumeNameSchema,
  type: volumeTypeSchema,
  sizeGb: volumeSizeSchema,
  mountPath: mountPathSchema,
});
export type CreateVolumeInput = z.input<typeof createVolumeSchema>;

/** Attaching needs an owner; a blank mount path keeps the one the volume already has. */
export const attachVolumeSchema = z.object({
  projectId: projectIdSchema,
  volumeId: volumeIdSchema,
  owner: volumeOwnerSchema.refine((owner) => owner !== null, 'Choose where to attach the volume.'),
  mountPath: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(mountPathSchema.optional()),
});
export type AttachVolumeInput = z.input<typeof attachVolumeSchema>;

/** detachVolume and deleteVolume. */
export const volumeRefSchema = z.object({ projectId: projectIdSchema, volumeId: volumeIdSchema });
export type VolumeRefInput = z.input<typeof volumeRefSchema>;
