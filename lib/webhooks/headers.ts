// The headers each git provider sends with a webhook delivery, and one way to read them from either a fetch
// `Headers` (a route handler's request) or a plain record (a test, the bench, a stored delivery being replayed).
export const PROVIDERS = ['github', 'gitlab', 'bitbucket', 'gitea'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const isProvider = (value: unknown): value is Provider => (PROVIDERS as readonly unknown[]).includes(value);

export type WebhookHeaders = Headers | Readonly<Record<string, string | undefined>>;

/**
 * Header names per provider. `delivery` is a preference list: the first one present identifies the delivery.
 * Sources: GitHub "Webhook events and payloads → Delivery headers"; GitLab "Webhooks → Delivery headers";
 * Bitbucket Cloud "Event payloads → HTTP headers"; Gitea services/webhook/deliver.go.
 */
export const PROVIDER_HEADERS = {
  github: { signature: 'X-Hub-Signature-256', event: 'X-GitHub-Event', delivery: ['X-GitHub-Delivery'] },
  // Idempotency-Key (GitLab 17.4+) stays the same across retries and manual resends, like X-GitHub-Delivery;
  // X-Gitlab-Event-UUID is new per hook and request, X-Gitlab-Webhook-UUID new per request.
  gitlab: {
    signature: 'X-Gitlab-Token',
    event: 'X-Gitlab-Event',
    delivery: ['Idempotency-Key', 'X-Gitlab-Event-UUID', 'X-Gitlab-Webhook-UUID'],
  },
  // X-Hook-UUID names the webhook, not the delivery, so it is not a delivery id.
  bitbucket: { signature: 'X-Hub-Signature', event: 'X-Event-Key', delivery: ['X-Request-UUID'] },
  gitea: { signature: 'X-Gitea-Signature', event: 'X-Gitea-Event', delivery: ['X-Gitea-Delivery'] },
} as const satisfies Record<Provider, { signature: string; event: string; delivery: readonly string[] }>;

export const PROVIDER_LABELS: Readonly<Record<Provider, string>> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  bitbucket: 'Bitbucket',
  gitea: 'Gitea',
};

/**
 * A header's value without the optional whitespace around it (RFC 9110 §5.5), or undefined when absent or empty.
 * Names are case-insensitive in a record too; a header given twice reads as both values joined by ", ", as fetch
 * does, so a doubled signature is malformed rather than silently one of the two.
 */
export function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  let value: string | null | undefined;
  if (typeof (headers as Headers).get === 'function') {
    value = (headers as Headers).get(name);
  } else {
    const wanted = name.toLowerCase();
    for (const [key, entry] of Object.entries(headers as Record<string, string | undefined>)) {
      if (key.toLowerCase() !== wanted || typeof entry !== 'string') continue;
      value = value === undefined ? entry : `${value}, ${entry}`;
    }
  }
  const trimmed = value?.replace(/^[ \t]+|[ \t]+$/g, '');
  return trimmed ? trimmed : undefined;
}
