// What a git provider's webhook delivery asks for, read only after verifySignature accepted its body: a push (the ref,
// the commit to deploy, the head commit's message, author and time), a ping, or an event that is not deployed. The
// body is still untrusted: it is decoded strictly, validated with zod, bounded, and a bad one comes back as `invalid`
// with a reason, never as a thrown error. Branch and tag names are held to the rule a watched branch follows
// (branchProblem), so a name that could never be watched is refused here; what passes is compared by equality and,
// like every value below the edge, reaches git only as an argv element.
import { z } from 'zod';

import { branchProblem } from '@/lib/validation/application';

import {
  isProvider,
  PROVIDER_HEADERS,
  PROVIDER_LABELS,
  readHeader,
  type Provider,
  type WebhookHeaders,
} from './headers';

export type PushEvent = {
  kind: 'push';
  /** The full ref, e.g. refs/heads/main (built from the branch or tag name for Bitbucket). */
  ref: string;
  branch: string | null;
  tag: string | null;
  /** The commit to deploy, 40 lowercase hex digits; the tagged commit for an annotated tag; null when deleted. */
  commitSha: string | null;
  /** The ref's commit before the push; null when the push created the ref. */
  before: string | null;
  message: string | null;
  /** The head commit's author name (no email). */
  author: string | null;
  /** The head commit's time as an ISO 8601 UTC string. */
  timestamp: string | null;
  deleted: boolean;
};

export type DeliveryEvent =
  { kind: 'ping' } | PushEvent | { kind: 'other'; event: string; reason: string } | { kind: 'invalid'; reason: string };

const MESSAGE_MAX = 4000;
const AUTHOR_MAX = 200;
const REF_MAX = 300;
const ZERO_SHA = '0'.repeat(40);
const EVENT_NAME = /^[A-Za-z0-9 _:.-]{1,100}$/;
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,200}$/;

const invalid = (reason: string): DeliveryEvent => ({ kind: 'invalid', reason });

// ---------------------------------------------------------------------------------------------------------------
// Headers

/** The provider's event name header (X-GitHub-Event, X-Gitlab-Event, X-Event-Key, X-Gitea-Event), or null. */
export function eventName(provider: Provider, headers: WebhookHeaders): string | null {
  if (!isProvider(provider)) return null;
  const value = readHeader(headers, PROVIDER_HEADERS[provider].event);
  return value !== undefined && EVENT_NAME.test(value) ? value : null;
}

/**
 * The delivery's id for recording it and dropping repeats, or null. Only [A-Za-z0-9._:-], at most 200 characters;
 * one pair of braces around a UUID is removed. A longer id is refused rather than cut, since cut ids could collide.
 */
export function deliveryId(provider: Provider, headers: WebhookHeaders): string | null {
  if (!isProvider(provider)) return null;
  for (const name of PROVIDER_HEADERS[provider].delivery) {
    const raw = readHeader(headers, name);
    if (raw === undefined) continue;
    const value = raw.startsWith('{') && raw.endsWith('}') ? raw.slice(1, -1) : raw;
    if (DELIVERY_ID.test(value)) return value;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Payload schemas: only the fields used, each bounded. Display text is clipped rather than refused.

/** Clipped to `max` UTF-16 code units without splitting a surrogate pair; NUL removed (PostgreSQL text cannot hold it). */
function clip(value: string, max: number): string {
  const clean = value.replace(/\u0000/g, '');
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

function toIso(value: string | null | undefined): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const shaSchema = z
  .string()
  .regex(/^[0-9a-f]{40}$/i, 'expected a commit sha of 40 hex digits')
  .transform((value) => value.toLowerCase());
const refSchema = z.string().min(1).max(REF_MAX);
const displaySchema = (max: number) =>
  z
    .string()
    .transform((value) => clip(value.trim(), max))
    .nullish()
    .catch(null)
    .transform((value) => value || null);
const timestampSchema = z.string().max(64).nullish().catch(null).transform(toIso);

type HeadCommit = { id: string; message: string | null; author: string | null; timestamp: string | null };

// GitHub, Gitea and GitLab describe a commit alike: id, message, timestamp, author.name.
const commitSchema = z
  .object({
    id: shaSchema,
    message: displaySchema(MESSAGE_MAX),
    timestamp: timestampSchema,
    author: z
      .object({ name: displaySchema(AUTHOR_MAX) })
      .nullish()
      .catch(null),
  })
  .transform((commit): HeadCommit => ({
    id: commit.id,
    message: commit.message,
    author: commit.author?.name ?? null,
    timestamp: commit.timestamp,
  }));

const hubPushSchema = z.object({
  ref: refSchema,
  before: shaSchema,
  after: shaSchema,
  deleted: z.boolean().optional(),
  head_commit: commitSchema.nullish(),
  commits: z.array(z.unknown()).optional(),
});

const gitlabPushSchema = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: refSchema,
  before: shaSchema,
  after: shaSchema,
  checkout_sha: shaSchema.nullish(),
  commits: z.array(z.unknown()).optional(),
});

const bitbucketRefSchema = z.object({
  type: z.string().max(50),
  name: z.string().min(1).max(REF_MAX),
  target: z.object({
    hash: shaSchema,
    message: displaySchema(MESSAGE_MAX),
    date: timestampSchema,
    author: z
      .object({ raw: displaySchema(AUTHOR_MAX) })
      .nullish()
      .catch(null),
  }),
});
const bitbucketPushSchema = z.object({
  push: z.object({
    changes: z
      .array(z.object({ old: bitbucketRefSchema.nullish(), new: bitbucketRefSchema.nullish() }))
      .min(1, 'a push has at least one change'),
  }),
});

// ---------------------------------------------------------------------------------------------------------------
// From a validated payload to a PushEvent

type PushParts = {
  ref: string;
  commitSha: string | null;
  before: string | null;
  deleted: boolean;
  head: HeadCommit | null;
};

const orNull = (sha: string | null | undefined): string | null => (sha && sha !== ZERO_SHA ? sha : null);

/** The commit among `commits` whose id is `id`, read leniently: a bad entry elsewhere does not matter. */
function findCommit(commits: unknown[] | undefined, id: string | null): HeadCommit | null {
  if (!commits || !id) return null;
  for (const entry of commits) {
    const parsed = commitSchema.safeParse(entry);
    if (parsed.success && parsed.data.id === id) return parsed.data;
  }
  return null;
}

function pushEvent(event: string, parts: PushParts): DeliveryEvent {
  const isBranch = parts.ref.startsWith('refs/heads/');
  if (!isBranch && !parts.ref.startsWith('refs/tags/')) {
    return { kind: 'other', event, reason: 'pushes to refs other than branches and tags are not deployed' };
  }
  const name = parts.ref.slice(isBranch ? 'refs/heads/'.length : 'refs/tags/'.length);
  const problem = branchProblem(name);
  if (problem)
    return invalid(
      isBranch
        ? `branch name not allowed: ${problem}`
        : `tag name not allowed (tags follow the branch rule): ${problem}`,
    );
  const head = parts.deleted ? null : parts.head;
  return {
    kind: 'push',
    ref: parts.ref,
    branch: isBranch ? name : null,
    tag: isBranch ? null : name,
    commitSha: parts.deleted ? null : parts.commitSha,
    before: orNull(parts.before),
    message: head?.message ?? null,
    author: head?.author ?? null,
    timestamp: head?.timestamp ?? null,
    deleted: parts.deleted,
  };
}

function schemaReason(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : 'body';
  return `push payload is missing or has a malformed field: ${path} (${issue?.message ?? 'invalid'})`;
}

function parseHubPush(event: string, json: unknown): DeliveryEvent {
  const parsed = hubPushSchema.safeParse(json);
  if (!parsed.success) return invalid(schemaReason(parsed.error));
  const data = parsed.data;
  const deleted = data.deleted === true || data.after === ZERO_SHA;
  const head = data.head_commit ?? findCommit(data.commits, data.after);
  // For an annotated tag `after` is the tag object; head_commit is the commit it points at.
  return pushEvent(event, { ref: data.ref, commitSha: head?.id ?? data.after, before: data.before, deleted, head });
}

function parseGitlabPush(event: string, json: unknown): DeliveryEvent {
  const parsed = gitlabPushSchema.safeParse(json);
  if (!parsed.success) return invalid(schemaReason(parsed.error));
  const data = parsed.data;
  const deleted = data.after === ZERO_SHA;
  // checkout_sha is the commit (for an annotated tag `after` is the tag object); null when the ref was deleted.
  const commitSha = data.checkout_sha ?? data.after;
  return pushEvent(event, {
    ref: data.ref,
    commitSha,
    before: data.before,
    deleted,
    head: findCommit(data.commits, commitSha),
  });
}

function parseBitbucketPush(event: string, json: unknown): DeliveryEvent {
  const parsed = bitbucketPushSchema.safeParse(json);
  if (!parsed.success) return invalid(schemaReason(parsed.error));
  // Bitbucket puts every ref of a push in one delivery; the last change is the one reported.
  const change = parsed.data.push.changes.at(-1);
  const current = change?.new ?? change?.old;
  if (!change || !current)
    return invalid('push payload is missing or has a malformed field: push.changes (neither new nor old ref)');
  if (current.type !== 'branch' && current.type !== 'tag') {
    return { kind: 'other', event, reason: 'pushes to refs other than branches and tags are not deployed' };
  }
  const target = change.new?.target;
  // "Name <email>" → "Name".
  const author = target?.author?.raw?.replace(/\s*<[^>]*>\s*$/, '').trim() || null;
  const head = target ? { id: target.hash, message: target.message, author, timestamp: target.date } : null;
  return pushEvent(event, {
    ref: `${current.type === 'tag' ? 'refs/tags/' : 'refs/heads/'}${current.name}`,
    commitSha: target?.hash ?? null,
    before: change.old?.target.hash ?? null,
    deleted: !change.new,
    head,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The delivery

// Maps, not object literals: an event named "constructor" must not find Object.prototype's.
const ACTIONS: Readonly<Record<Provider, ReadonlyMap<string, 'push' | 'ping'>>> = {
  github: new Map([
    ['push', 'push'],
    ['ping', 'ping'],
  ]),
  // GitLab has no ping: its "Test" button sends a real Push Hook, which is handled as one.
  gitlab: new Map([
    ['Push Hook', 'push'],
    ['Tag Push Hook', 'push'],
  ]),
  // diagnostics:ping is Bitbucket Data Center's "Test connection"; Bitbucket Cloud has no ping.
  bitbucket: new Map([
    ['repo:push', 'push'],
    ['diagnostics:ping', 'ping'],
  ]),
  gitea: new Map([['push', 'push']]),
};

const PARSERS: Readonly<Record<Provider, (event: string, json: unknown) => DeliveryEvent>> = {
  github: parseHubPush,
  gitea: parseHubPush,
  gitlab: parseGitlabPush,
  bitbucket: parseBitbucketPush,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readJson(
  provider: Provider,
  headers: WebhookHeaders,
  body: Uint8Array,
): { json: unknown } | { reason: string } {
  const type = readHeader(headers, 'Content-Type');
  if (type !== undefined && /^application\/x-www-form-urlencoded\b/i.test(type)) {
    return {
      reason: `the ${PROVIDER_LABELS[provider]} webhook sends form data: set its content type to application/json`,
    };
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { reason: 'the body is not UTF-8 text' };
  }
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { reason: 'the body is not valid JSON' };
  }
}

/** What a delivery whose signature checked out asks for. Never throws for anything the sender controls. */
export function parseDelivery(provider: Provider, headers: WebhookHeaders, body: Uint8Array): DeliveryEvent {
  if (!isProvider(provider)) return invalid('unknown git provider: use github, gitlab, bitbucket or gitea');
  const event = eventName(provider, headers);
  if (event === null) {
    return invalid(
      `missing or unreadable ${PROVIDER_HEADERS[provider].event} header: is this a ${PROVIDER_LABELS[provider]} webhook delivery?`,
    );
  }
  const action = ACTIONS[provider].get(event);
  if (action === 'ping') return { kind: 'ping' };
  if (action === undefined)
    return { kind: 'other', event, reason: `${event} events are not deployed: only pushes are` };
  const read = readJson(provider, headers, body);
  if ('reason' in read) return invalid(read.reason);
  return PARSERS[provider](event, read.json);
}
