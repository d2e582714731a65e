// The ACME account and CA the proxy issues certificates with, and the Cloudflare API token for DNS-01 (wildcards),
// an administrator's settings in panel_settings. The token is stored AES-256-GCM encrypted like every secret
// ('panel_settings.cloudflare_token'); pages see only whether it is set, and readAcmeSettings() gives its plaintext
// to the proxy's config renderer, server-side only. The panel's own domain (panel_domain, served by the proxy with
// HSTS) is saved here too; a name an application domain already holds is refused (domain_name_taken, D77).
import { deniedEntry } from '@/lib/audit/refusal';
import { recordAudit } from '@/lib/audit/write';
import { assertCan } from '@/lib/auth/permissions';
import { decryptSecret, encryptSecret, type KeyRing } from '@/lib/crypto';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { getKeyRing } from '@/lib/secrets/key-ring';
import { acmeSettingsSchema, type AcmeCa, type AcmeSettingsInput } from '@/lib/validation/certificate';
import { displayHostname } from '@/lib/validation/hostname';

export const CLOUDFLARE_TOKEN_AAD = 'panel_settings.cloudflare_token';

/** The ACME directories of the CAs offered by name. */
export const ACME_DIRECTORIES = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  zerossl: 'https://acme.zerossl.com/v2/DV90',
} as const;

type KeyOptions = { ring?: KeyRing };
type Row = {
  acme_email: string;
  acme_ca: string;
  acme_directory_url: string;
  cloudflare_token: string;
  panel_domain: string;
  updated_at: Date;
};

async function row(db: PrismaClient | Tx, lock = false): Promise<Row | null> {
  const rows = lock
    ? await db.$queryRaw<Row[]>`SELECT acme_email, acme_ca, acme_directory_url, cloudflare_token, panel_domain,
                                         updated_at
                                  FROM panel_settings WHERE id FOR UPDATE`
    : await db.$queryRaw<Row[]>`SELECT acme_email, acme_ca, acme_directory_url, cloudflare_token, panel_domain,
                                         updated_at
                                  FROM panel_settings WHERE id`;
  return rows[0] ?? null;
}

export type AcmeSettingsView = {
  acmeEmail: string;
  acmeCa: AcmeCa;
  acmeDirectoryUrl: string;
  /** Whether a Cloudflare token is saved; the token itself never leaves the server. */
  cloudflareTokenSet: boolean;
  /** The panel's own domain behind the proxy (ASCII, punycode), or '' when the proxy does not serve the panel. */
  panelDomain: string;
  savedAt: Date | null;
};

/** The settings as the page shows them. panel_settings has no row-level security; callers check settings.manage. */
export async function readAcmeSettingsView(db: PrismaClient | Tx): Promise<AcmeSettingsView> {
  const saved = await row(db);
  return {
    acmeEmail: saved?.acme_email ?? '',
    acmeCa: (saved?.acme_ca ?? 'letsencrypt') as AcmeCa,
    acmeDirectoryUrl: saved?.acme_directory_url ?? '',
    cloudflareTokenSet: Boolean(saved?.cloudflare_token),
    panelDomain: saved?.panel_domain ?? '',
    savedAt: saved?.updated_at ?? null,
  };
}

export type AcmeSettings = {
  /** The ACME account email; null when none is set (Let's Encrypt allows none). */
  email: string | null;
  ca: AcmeCa;
  /** The ACME directory URL to issue from; null for `internal` (the proxy's own CA). */
  directoryUrl: string | null;
  /** The Cloudflare API token, decrypted, for DNS-01 (wildcard names); null when unset. Server-side only. */
  cloudflareToken: string | null;
};

/** For the proxy's config renderer: the settings with the directory resolved and the token decrypted. */
export async function readAcmeSettings(db: PrismaClient | Tx, options: KeyOptions = {}): Promise<AcmeSettings> {
  const saved = await row(db);
  const ca = (saved?.acme_ca ?? 'letsencrypt') as AcmeCa;
  const token = saved?.cloudflare_token ?? '';
  return {
    email: saved?.acme_email || null,
    ca,
    directoryUrl: ca === 'internal' ? null : ca === 'custom' ? saved?.acme_directory_url || null : ACME_DIRECTORIES[ca],
    cloudflareToken: token ? decryptSecret(options.ring ?? (await getKeyRing()), token, CLOUDFLARE_TOKEN_AAD) : null,
  };
}

/** An administrator saves the ACME settings (settings.manage). A blank token keeps the saved one. */
export async function updateAcmeSettings(
  tx: Tx,
  ctx: WorkContext,
  input: AcmeSettingsInput,
  options: KeyOptions = {},
): Promise<AcmeSettingsView> {
  try {
    assertCan(ctx.actor, 'settings.manage', { type: 'platform' });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const audit = deniedEntry(ctx, { action: 'settings.manage', resourceType: 'user', details: { setting: 'acme' } });
    throw new AppError('forbidden', error.message, { audit });
  }
  const parsed = acmeSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('invalid', issue.message, { field: String(issue.path[0] ?? 'form') });
  }
  const data = parsed.data;
  const before = await row(tx, true);
  if (data.panelDomain && data.panelDomain !== before?.panel_domain) {
    const [taken] = await tx.$queryRaw<{ taken: boolean }[]>`SELECT domain_name_taken(${data.panelDomain}) AS taken`;
    if (taken?.taken) {
      throw new AppError(
        'conflict',
        `${displayHostname(data.panelDomain)} is already a domain of a project on this server: the panel needs a name of its own. Choose another name, or remove that domain from its project first.`,
        { field: 'panelDomain' },
      );
    }
  }
  const token = data.clearCloudflareToken
    ? ''
    : data.cloudflareToken
      ? encryptSecret(options.ring ?? (await getKeyRing()), data.cloudflareToken, CLOUDFLARE_TOKEN_AAD)
      : (before?.cloudflare_token ?? '');
  await tx.$executeRaw`
    UPDATE panel_settings
       SET acme_email = ${data.acmeEmail}, acme_ca = ${data.acmeCa}, acme_directory_url = ${data.acmeDirectoryUrl},
           cloudflare_token = ${token}, panel_domain = ${data.panelDomain}, updated_at = now(), updated_by = ${ctx.actor.id}::uuid
     WHERE id`;
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'settings.update',
    resourceType: 'user',
    resourceId: null,
    details: {
      setting: 'acme',
      from: {
        email: before?.acme_email ?? '',
        ca: before?.acme_ca ?? '',
        directory: before?.acme_directory_url ?? '',
        panelDomain: before?.panel_domain ?? '',
      },
      to: { email: data.acmeEmail, ca: data.acmeCa, directory: data.acmeDirectoryUrl, panelDomain: data.panelDomain },
      // Which way the Cloudflare token went, never its value (a key naming a token would be redacted).
      cloudflare: data.clearCloudflareToken ? 'cleared' : data.cloudflareToken ? 'replaced' : 'kept',
    },
    ip: ctx.meta?.ip ?? null,
    userAgent: ctx.meta?.userAgent ?? null,
  });
  return readAcmeSettingsView(tx);
}
