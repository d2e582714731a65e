// git_sources.webhook_config, the spec's "webhook configuration and secrets": the webhook secret, auto-deploy, the
// watched branch, whether tag pushes deploy, and the credentials for a private repository (a deploy key or an access
// token). Every secret field is an AES-256-GCM ciphertext whose associated data names the field
// ('git_sources.webhook_config.<field>'), which is also what `npm run secrets:rotate` re-encrypts. Nothing here is
// sent to a browser: the view model (SourceSettings) carries only what may be shown.
import { randomBytes } from 'node:crypto';

import { z } from 'zod';

import { tokenCredentials, type GitCredentials, type GitProvider } from '@/lib/git/credentials';
import { decryptStored, encryptStored } from '@/lib/secrets/key-ring';

export const SECRET_FIELDS = ['secret', 'deploy_key', 'deploy_token'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];
export const aadOf = (field: SecretField) => `git_sources.webhook_config.${field}`;

const text = z.string().max(20_000);
export const webhookConfigSchema = z
  .object({
    secret: text.optional(),
    secret_created_at: z.string().max(40).optional(),
    auto_deploy: z.boolean().optional(),
    /** The branch whose pushes deploy; the source's branch when unset. */
    branch: z.string().max(255).optional(),
    deploy_tags: z.boolean().optional(),
    deploy_key: text.optional(),
    deploy_key_public: z.string().max(1000).optional(),
    deploy_key_fingerprint: z.string().max(100).optional(),
    deploy_token: text.optional(),
    deploy_token_username: z.string().max(100).optional(),
  })
  .loose();
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

/** The stored JSON as a config; a row written around the panel with wrong types reads as empty fields. */
export function readWebhookConfig(value: unknown): WebhookConfig {
  const parsed = webhookConfigSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const object = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const safe: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(webhookConfigSchema.shape)) {
    if (field.safeParse(object[key]).success) safe[key] = object[key];
  }
  return safe as WebhookConfig;
}

export const autoDeployOf = (config: WebhookConfig) => config.auto_deploy !== false;
export const watchedBranchOf = (config: WebhookConfig, sourceBranch: string) => config.branch || sourceBranch;

/** A new webhook secret: 32 random bytes, hex (what every provider's secret field accepts). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('hex');
}

export async function encryptField(field: SecretField, plaintext: string): Promise<string> {
  return encryptStored(plaintext, aadOf(field));
}

export async function decryptField(config: WebhookConfig, field: SecretField): Promise<string | null> {
  const stored = config[field];
  return stored ? decryptStored(stored, aadOf(field)) : null;
}

export type AuthMethod = 'none' | 'deploy_key' | 'token';
export const authMethodOf = (config: WebhookConfig): AuthMethod =>
  config.deploy_key ? 'deploy_key' : config.deploy_token ? 'token' : 'none';

/** The credentials git uses for this source (decrypted here, for the worker only). */
export async function gitCredentialsOf(config: WebhookConfig, provider: GitProvider): Promise<GitCredentials> {
  const key = await decryptField(config, 'deploy_key');
  if (key) return { kind: 'ssh-key', privateKey: key };
  const token = await decryptField(config, 'deploy_token');
  if (token)
    return config.deploy_token_username
      ? tokenCredentials(provider, token, config.deploy_token_username)
      : tokenCredentials(provider, token);
  return null;
}

/** What the Source tab may show: no secret, no private key, no token. */
export type SourceSettings = {
  autoDeploy: boolean;
  watchedBranch: string;
  deployTags: boolean;
  hasSecret: boolean;
  secretCreatedAt: string | null;
  authMethod: AuthMethod;
  deployKeyPublic: string | null;
  deployKeyFingerprint: string | null;
  tokenUsername: string | null;
};

export function sourceSettings(config: WebhookConfig, sourceBranch: string): SourceSettings {
  const method = authMethodOf(config);
  return {
    autoDeploy: autoDeployOf(config),
    watchedBranch: watchedBranchOf(config, sourceBranch),
    deployTags: config.deploy_tags === true,
    hasSecret: Boolean(config.secret),
    secretCreatedAt: config.secret_created_at ?? null,
    authMethod: method,
    deployKeyPublic: method === 'deploy_key' ? (config.deploy_key_public ?? null) : null,
    deployKeyFingerprint: method === 'deploy_key' ? (config.deploy_key_fingerprint ?? null) : null,
    tokenUsername: method === 'token' ? (config.deploy_token_username ?? null) : null,
  };
}
