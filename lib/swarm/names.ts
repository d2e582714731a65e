// Every Docker name and label the engine uses comes from here, derived from ids: application names are unique only
// inside a project (decision D5), Docker's are global, so the id prefix keeps two projects' `api` apart.
import { EngineError } from './errors';

export const LABEL = {
  managed: 'slipway.managed',
  application: 'slipway.application',
  project: 'slipway.project',
  /** On images: the deployment that built it. */
  deployment: 'slipway.deployment',
  /** On networks an application joins by name, shared across projects. */
  shared: 'slipway.shared',
} as const;

const DNS_LABEL_MAX = 63;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The first 12 hex digits of a uuid (48 bits: collisions are not a practical concern for one panel). */
export function shortId(id: string): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{12,32}$/.test(hex))
    throw new EngineError('invalid', `“${id.slice(0, 40)}” is not an id the engine can name objects after.`);
  return hex.slice(0, 12);
}

/** `slw-<12 hex>-<name>`, at most 63 characters so it stays a DNS label (the service's name on its networks). */
export function serviceName(app: { id: string; name: string }): string {
  if (!DNS_LABEL.test(app.name))
    throw new EngineError(
      'invalid',
      `“${app.name.slice(0, 40)}” is not a valid application name (a lowercase DNS label).`,
    );
  // Cutting may leave a trailing hyphen, which a DNS label cannot end with.
  return `slw-${shortId(app.id)}-${app.name}`.slice(0, DNS_LABEL_MAX).replace(/-+$/, '');
}

/** The project's own overlay network, shared by its applications. */
export function networkName(projectId: string): string {
  return `slw-project-${shortId(projectId)}`;
}

/** The repository of an application's images; each deployment tags it. */
export function imageRepo(appId: string): string {
  return `slipway/app-${shortId(appId)}`;
}

/** `slipway/app-<12 hex>:<tag>` — a tag such as a deployment's short id or a commit sha. */
export function imageRef(appId: string, tag: string): string {
  if (!IMAGE_TAG.test(tag)) throw new EngineError('invalid', `“${tag.slice(0, 40)}” is not a valid image tag.`);
  return `${imageRepo(appId)}:${tag}`;
}

export function labelsFor(app: { id: string; projectId: string }): Record<string, string> {
  return { [LABEL.managed]: 'true', [LABEL.application]: app.id, [LABEL.project]: app.projectId };
}

/** An image the pipeline builds: its application's labels and the deployment that built it. */
export function imageLabelsFor(app: { id: string; projectId: string }, deploymentId: string): Record<string, string> {
  return { ...labelsFor(app), [LABEL.deployment]: deploymentId };
}

/** Label filters for Docker's list endpoints: everything Slipway made, or one application's objects. */
export function labelFilters(appId?: string): string[] {
  return appId === undefined ? [`${LABEL.managed}=true`] : [`${LABEL.managed}=true`, `${LABEL.application}=${appId}`];
}

/** Whether an object's labels prove it is Slipway's (and, when given, that application's or project's). */
export function isOurs(
  labels: Record<string, string> | null | undefined,
  owner: { appId?: string; projectId?: string } = {},
): boolean {
  if (labels?.[LABEL.managed] !== 'true') return false;
  if (owner.appId !== undefined && labels[LABEL.application] !== owner.appId) return false;
  if (owner.projectId !== undefined && labels[LABEL.project] !== owner.projectId) return false;
  return true;
}
