// Tests and benches only: GitHub deliveries as GitHub sends them (the body bytes, signed with the webhook's secret,
// the event and a unique delivery id in the headers), for a commit the caller just made. Shared by the integration
// test, the e2e spec and bench/webhook-ingest.ts, so all three post the same thing a real repository would.
import { randomUUID } from 'node:crypto';

import pingFixture from './fixtures/github-ping.json';
import pushFixture from './fixtures/github-push.json';
import { signBody } from './signature';

export const ZERO_SHA = '0'.repeat(40);

export type Delivery = { body: Buffer; headers: Record<string, string>; deliveryId: string };

export type DeliveryOptions = {
  /** The webhook secret to sign with; null sends no signature header at all. */
  secret: string | null;
  /** X-GitHub-Delivery; a fresh UUID by default (a real redelivery reuses the original's). */
  deliveryId?: string;
};

/** `payload` (an object, serialized once, or the exact bytes) as a GitHub delivery of `event`. */
export function githubDelivery(event: string, payload: unknown, options: DeliveryOptions): Delivery {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  const deliveryId = options.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/5f2a3c1',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '530117482',
    ...(options.secret === null ? {} : signBody('github', body, options.secret)),
  };
  return { body, headers, deliveryId };
}

export type PushInput = {
  /** Full ref; refs/heads/main by default. */
  ref?: string;
  /** The ref's commit before the push; null when the push created the branch. */
  before: string | null;
  after: string;
  message?: string;
  /** The head commit's author time, ISO 8601 (GitHub sends seconds and an offset); now by default. */
  timestamp?: string;
  author?: string;
};

/** Seconds resolution, as GitHub reports commit times. */
export const commitTime = (at: Date = new Date()): string => `${at.toISOString().slice(0, 19)}Z`;

/** The body GitHub sends for a push of `after` onto `ref` (one commit, the head), in its real shape. */
export function githubPushPayload(input: PushInput): Record<string, unknown> {
  const ref = input.ref ?? 'refs/heads/main';
  const before = input.before ?? ZERO_SHA;
  const author = input.author ?? 'Mara Okafor';
  const head = {
    ...pushFixture.head_commit,
    id: input.after,
    message: input.message ?? `commit ${input.after.slice(0, 7)}`,
    timestamp: input.timestamp ?? commitTime(),
    url: `https://github.com/acme-labs/orders-api/commit/${input.after}`,
    author: { ...pushFixture.head_commit.author, name: author },
    committer: { ...pushFixture.head_commit.committer },
  };
  return {
    ...pushFixture,
    ref,
    before,
    after: input.after,
    created: input.before === null,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/acme-labs/orders-api/compare/${before.slice(0, 12)}...${input.after.slice(0, 12)}`,
    commits: [head],
    head_commit: head,
  };
}

/** A signed push delivery (see githubPushPayload). */
export function githubPush(input: PushInput & DeliveryOptions): Delivery {
  return githubDelivery('push', githubPushPayload(input), input);
}

/** The ping GitHub sends when a webhook is created. */
export function githubPing(options: DeliveryOptions): Delivery {
  return githubDelivery('ping', pingFixture, options);
}
