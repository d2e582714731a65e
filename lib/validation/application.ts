// Applications: what a person may submit for one, shared by the forms, their actions and lib/applications (which
// parses again). Values here reach git or Docker later (as argv and Engine API data, never a shell string), so each
// is an allowlist; git_sources has CHECKs that mirror the git rules (migration 20261127000100_constraints).
import { z } from 'zod';

import { composeFileSchema } from './compose';
import { encodeKeyset, keysetCursorSchema } from './cursor';
import { idSchema } from './ids';
import { dockerNameSchema, preview } from './names';
import { projectIdSchema } from './project';

export const APPLICATION_TYPES = ['docker', 'git', 'compose'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];
export const GIT_PROVIDERS = ['github', 'gitlab', 'bitbucket', 'gitea'] as const;
export const REPLICAS_MAX = 100;

export const applicationNameSchema = dockerNameSchema;
export const applicationIdSchema = idSchema('application');

const CONTROL_OR_SPACE = /[\s\p{Cc}\p{Cf}]/u;
const NON_ASCII = /[^\x20-\x7e]/;
// A blank form field means "use the default".
const blankAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

// ---------------------------------------------------------------------------------------------------------------
// Image references (Docker's grammar: [host[:port]/]path[:tag][@sha256:digest])

export const IMAGE_RULE =
  'Use an image reference like nginx:1.27, ghcr.io/acme/api:v2 or registry.example.com:5000/team/app@sha256:<64 hex>.';
const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::\d{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Why `value` is not an image reference, or null when it is one. */
export function imageReferenceProblem(value: string): string | null {
  if (value === '') return `Give an image. ${IMAGE_RULE}`;
  if (value.length > 255) return `An image reference has at most 255 characters. ${IMAGE_RULE}`;
  if (CONTROL_OR_SPACE.test(value) || NON_ASCII.test(value))
    return `An image reference has no spaces or special characters. ${IMAGE_RULE}`;
  if (value.startsWith('-')) return `An image reference cannot start with “-”. ${IMAGE_RULE}`;
  const [named = '', digest, ...extra] = value.split('@');
  if (extra.length || (digest !== undefined && !DIGEST.test(digest)))
    return `A digest is @sha256: and 64 lowercase hex digits. ${IMAGE_RULE}`;
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? named : named.slice(0, colon);
  const tag = colon === -1 ? undefined : named.slice(colon + 1);
  if (tag !== undefined && !TAG.test(tag)) {
    return `The tag “${preview(tag)}” is not valid: up to 128 letters, digits, _ . and -, not starting with . or -.`;
  }
  const parts = name.split('/');
  // Docker's rule: the first part is a registry only if it has a dot or a port, or is localhost.
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost');
  if (hasDomain && (!DOMAIN.test(first) || Number(first.split(':')[1] ?? 0) > 65535))
    return `“${preview(first)}” is not a registry host. ${IMAGE_RULE}`;
  const path = hasDomain ? parts.slice(1) : parts;
  for (const part of path) {
    if (PATH_COMPONENT.test(part)) continue;
    if (/[A-Z]/.test(part)) return `The repository path must be lowercase (“${preview(part)}”). ${IMAGE_RULE}`;
    return `“${preview(part)}” is not a valid repository name: lowercase letters and digits, separated by . _ or -. ${IMAGE_RULE}`;
  }
  return null;
}

export const imageReferenceSchema = z.string(`Give an image. ${IMAGE_RULE}`).superRefine((value, ctx) => {
  const problem = imageReferenceProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// ---------------------------------------------------------------------------------------------------------------
// Git: provider, repository, branch

export const gitProviderSchema = z.enum(GIT_PROVIDERS, 'Choose a provider: GitHub, GitLab, Bitbucket or Gitea.');

export const REPOSITORY_RULE =
  'Use owner/name, an https:// URL (https://github.com/owner/name.git) or an SSH address (git@github.com:owner/name.git).';
const SHORTHAND = /^[A-Za-z0-9][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/;
const SCP_LIKE = /^([A-Za-z0-9][A-Za-z0-9._-]*)@([A-Za-z0-9][A-Za-z0-9.-]*):([A-Za-z0-9_][A-Za-z0-9_.~/-]*)$/;
const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

/** Why `value` is not a repository git may be pointed at, or null when it is one. */
export function repositoryProblem(value: string): string | null {
  if (value === '') return `Give the repository. ${REPOSITORY_RULE}`;
  if (value.length > 500) return 'A repository address has at most 500 characters.';
  if (CONTROL_OR_SPACE.test(value) || NON_ASCII.test(value))
    return `A repository address has no spaces or special characters. ${REPOSITORY_RULE}`;
  if (value.startsWith('-')) return 'A repository cannot start with “-” (git would read it as an option).';
  if (/^[a-z][a-z0-9+.-]*::/i.test(value)) return 'Remote helpers such as ext:: are not allowed (they run programs).';
  if (value.split(/[/:]/).some((part) => part === '..')) return 'A repository address cannot contain “..” segments.';
  if (SHORTHAND.test(value) && !value.includes('//')) return null;
  if (SCP_LIKE.test(value)) return null;
  if (!/^(https|ssh):\/\//i.test(value))
    return `Only https:// and ssh:// addresses are allowed (not file:// or others). ${REPOSITORY_RULE}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `“${preview(value)}” is not a valid address. ${REPOSITORY_RULE}`;
  }
  if (url.password || (url.protocol === 'https:' && url.username)) {
    return 'Do not put credentials in the address: connect the provider, or use a deploy key over SSH.';
  }
  if (!HOST.test(url.hostname)) return `“${preview(url.hostname)}” is not a host name.`;
  if (url.search || url.hash) return 'A repository address has no ?query or #fragment.';
  if (url.pathname.replace(/\/+$/, '').split('/').filter(Boolean).length < 1)
    return `The address names no repository. ${REPOSITORY_RULE}`;
  return null;
}

export const gitRepositorySchema = z.string(`Give the repository. ${REPOSITORY_RULE}`).superRefine((value, ctx) => {
  const problem = repositoryProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const BRANCH_RULE =
  'Branch names use letters, digits, . _ / and -, without “..”, a leading - / or ., or a trailing / or .lock.';

/** git check-ref-format's rules, narrowed to the characters git_sources.branch allows. */
export function branchProblem(value: string): string | null {
  if (value === '') return 'Give a branch.';
  if (value.length > 255) return 'A branch name has at most 255 characters.';
  if (!/^[A-Za-z0-9._/-]+$/.test(value))
    return `“${preview(value)}” has characters a branch name cannot use. ${BRANCH_RULE}`;
  if (value.includes('..')) return `A branch name cannot contain “..”. ${BRANCH_RULE}`;
  if (/^[-/.]/.test(value)) return `A branch name cannot start with -, / or a dot. ${BRANCH_RULE}`;
  if (value.endsWith('/') || value.endsWith('.') || value.endsWith('.lock'))
    return `A branch name cannot end with /, a dot or .lock. ${BRANCH_RULE}`;
  if (value.includes('//') || value.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))) {
    return `Each part of a branch name between slashes is non-empty, does not start with a dot and does not end with .lock.`;
  }
  return null;
}

export const gitBranchSchema = z.string('Give a branch.').superRefine((value, ctx) => {
  const problem = branchProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// ---------------------------------------------------------------------------------------------------------------
// Paths inside the repository (Dockerfile, build context): relative, no "..", normalized.

const REPO_PATH = /^[A-Za-z0-9._@+/-]+$/;

function repoPathSchema(what: string, { file }: { file: boolean }) {
  const rule = `The ${what} is a path inside the repository, like ${file ? 'Dockerfile or docker/api.Dockerfile' : '. or services/api'}.`;
  return z.string(rule).transform((value, ctx) => {
    const fail = (message: string) => (ctx.addIssue({ code: 'custom', message: `${message} ${rule}` }), z.NEVER);
    if (value.length > 255) return fail(`The ${what} has at most 255 characters.`);
    if (!REPO_PATH.test(value)) return fail(`The ${what} may use letters, digits and . _ @ + / - only.`);
    if (value.startsWith('/')) return fail(`The ${what} is relative to the repository: remove the leading /.`);
    if (value.startsWith('-')) return fail(`The ${what} cannot start with “-”.`);
    if (value.split('/').includes('..')) return fail(`The ${what} cannot contain “..”.`);
    // Normalized: no "./" segments, no doubled or trailing slashes; the repository root is ".".
    const normal =
      value
        .split('/')
        .filter((part) => part !== '' && part !== '.')
        .join('/') || '.';
    if (file && (normal === '.' || value.endsWith('/'))) return fail(`The ${what} names a file, not a folder.`);
    return normal;
  });
}

export const dockerfilePathSchema = z.preprocess(
  blankAsUndefined,
  repoPathSchema('Dockerfile path', { file: true }).default('Dockerfile'),
);
export const buildContextSchema = z.preprocess(
  blankAsUndefined,
  repoPathSchema('build context', { file: false }).default('.'),
);

// ---------------------------------------------------------------------------------------------------------------
// Sources by type, and the forms that post them

export const dockerSourceSchema = z.object({ type: z.literal('docker'), image: imageReferenceSchema });
export const gitSourceSchema = z
  .object({
    type: z.literal('git'),
    provider: gitProviderSchema,
    repository: gitRepositorySchema,
    branch: z.preprocess(blankAsUndefined, gitBranchSchema.default('main')),
    dockerfile: dockerfilePathSchema,
    buildContext: buildContextSchema,
  })
  .superRefine((source, ctx) => {
    // owner/name is resolved on the provider's public host (lib/git/repository-url.ts); Gitea has none.
    if (source.provider === 'gitea' && SHORTHAND.test(source.repository) && !source.repository.includes('//')) {
      ctx.addIssue({
        code: 'custom',
        path: ['repository'],
        message: `Gitea has no public server, so give the full address, like https://gitea.example.com/${source.repository}.git.`,
      });
    }
  });
export const composeSourceSchema = z.object({ type: z.literal('compose'), compose: composeFileSchema });

const TYPE_MESSAGE = { error: 'Choose a type: Docker image, Git repository or Compose file.' };
export const applicationSourceSchema = z.discriminatedUnion(
  'type',
  [dockerSourceSchema, gitSourceSchema, composeSourceSchema],
  TYPE_MESSAGE,
);
export type ApplicationSource = z.output<typeof applicationSourceSchema>;

const createFields = { projectId: projectIdSchema, name: applicationNameSchema };
export const createApplicationSchema = z.discriminatedUnion(
  'type',
  [
    dockerSourceSchema.extend(createFields),
    gitSourceSchema.extend(createFields),
    composeSourceSchema.extend(createFields),
  ],
  TYPE_MESSAGE,
);
export type CreateApplicationInput = z.input<typeof createApplicationSchema>;

const sourceFields = { applicationId: applicationIdSchema };
export const updateSourceSchema = z.discriminatedUnion(
  'type',
  [
    dockerSourceSchema.extend(sourceFields),
    gitSourceSchema.extend(sourceFields),
    composeSourceSchema.extend(sourceFields),
  ],
  TYPE_MESSAGE,
);
export type UpdateSourceInput = z.input<typeof updateSourceSchema>;

const REPLICAS_RULE = `Replicas is a whole number from 0 to ${REPLICAS_MAX} (0 keeps the service defined but stopped).`;
export const replicasSchema = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : value),
  z.number(REPLICAS_RULE).int(REPLICAS_RULE).min(0, REPLICAS_RULE).max(REPLICAS_MAX, REPLICAS_RULE),
);

export const updateGeneralSchema = z.object({
  applicationId: applicationIdSchema,
  name: applicationNameSchema,
  replicas: replicasSchema,
});
export type UpdateGeneralInput = z.input<typeof updateGeneralSchema>;

export const applicationRefSchema = z.object({ applicationId: applicationIdSchema });

// ---------------------------------------------------------------------------------------------------------------
// The Deployments tab's keyset: (started_at, id) of a page's last row, started_at to the microsecond.

export const DEPLOYMENTS_PAGE_SIZE = 20;
export type DeploymentCursor = { startedAt: string; id: string };
const EXACT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export const encodeDeploymentCursor = ({ startedAt, id }: DeploymentCursor) => encodeKeyset([startedAt, id]);
export const deploymentCursorSchema = keysetCursorSchema(
  z.tuple([
    z
      .string()
      .regex(EXACT_TIMESTAMP)
      .refine((value) => !Number.isNaN(Date.parse(value))),
    idSchema('page'),
  ]),
  {
    maxLength: 200,
    message: 'This page link is not valid (it may have been cut short): start again from the newest deployments.',
  },
).transform(([startedAt, id]): DeploymentCursor => ({ startedAt, id }));
