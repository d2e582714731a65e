// The trusted proxies whose X-Forwarded-For the panel believes (D66): SLIPWAY_TRUSTED_PROXIES when it is set (an
// override: the page shows it and refuses changes), otherwise what an administrator saved in panel_settings. The
// server (scripts/server.mjs) reads them on every request from the process-wide value setTrustedProxies() sets, so a
// change applies at once in the process that saved it and within WATCH_EVERY_MS in every other panel process.
import { recordAudit } from '@/lib/audit/write';
import type { Tx } from '@/lib/db/context';
import type { WorkContext } from '@/lib/db/work';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { parseTrustedProxies, setTrustedProxies, type TrustedProxies } from '@/lib/http/client-ip';
import { trustedProxiesSchema, type TrustedProxiesInput } from '@/lib/validation/settings';

import { assertSettingsManager } from './access';

export const WATCH_EVERY_MS = 30_000;

/** SLIPWAY_TRUSTED_PROXIES when it lists anything: then it, not the panel setting, is what the server applies. */
export function environmentOverride(): TrustedProxies | null {
  const configured = env().SLIPWAY_TRUSTED_PROXIES;
  return configured.entries.length > 0 ? configured : null;
}

export type TrustedProxiesView = {
  /** Where the applied list comes from. */
  source: 'environment' | 'panel';
  /** The list applied. */
  applied: readonly string[];
  /** What the panel setting holds (shown, and used once the variable is unset). */
  saved: string;
  savedAt: Date | null;
};

type Row = { trusted_proxies: string; updated_at: Date };

async function savedRow(db: PrismaClient | Tx): Promise<Row | null> {
  const rows = await db.$queryRaw<Row[]>`SELECT trusted_proxies, updated_at FROM panel_settings WHERE id`;
  return rows[0] ?? null;
}

/** The setting as the page shows it. panel_settings has no row-level security; callers check settings.manage. */
export async function readTrustedProxies(
  db: PrismaClient | Tx,
  override: TrustedProxies | null,
): Promise<TrustedProxiesView> {
  const row = await savedRow(db);
  const saved = row?.trusted_proxies ?? '';
  return override
    ? { source: 'environment', applied: override.entries, saved, savedAt: row?.updated_at ?? null }
    : { source: 'panel', applied: parseTrustedProxies(saved).entries, saved, savedAt: row?.updated_at ?? null };
}

/** Reads the setting and makes it what this process's server applies from its next request on. */
export async function applyTrustedProxies(db: PrismaClient, override: TrustedProxies | null): Promise<TrustedProxies> {
  if (override) {
    setTrustedProxies(override);
    return override;
  }
  const trusted = parseTrustedProxies((await savedRow(db))?.trusted_proxies ?? '');
  setTrustedProxies(trusted);
  return trusted;
}

/** Applies the setting now and every `everyMs` (other processes' changes); the timer never holds the process. */
export function watchTrustedProxies(
  db: PrismaClient,
  { everyMs = WATCH_EVERY_MS, log = () => {} }: { everyMs?: number; log?: (line: string) => void } = {},
): { ready: Promise<void>; stop: () => void } {
  const override = environmentOverride();
  const apply = () =>
    applyTrustedProxies(db, override).then(
      () => undefined,
      (error: Error) => log(`applying the trusted proxies setting failed: ${error.message}`),
    );
  const timer = override ? null : setInterval(() => void apply(), everyMs);
  timer?.unref();
  return { ready: apply(), stop: () => timer && clearInterval(timer) };
}

/**
 * An administrator saves the trusted proxies (settings.manage). Refused while SLIPWAY_TRUSTED_PROXIES overrides the
 * setting. Returns the list for the caller to apply once the transaction has committed (setTrustedProxies).
 */
export async function updateTrustedProxies(
  tx: Tx,
  ctx: WorkContext,
  input: TrustedProxiesInput,
  override: TrustedProxies | null,
): Promise<TrustedProxies> {
  assertSettingsManager(ctx, 'trusted_proxies');
  if (override) {
    throw new AppError(
      'conflict',
      `SLIPWAY_TRUSTED_PROXIES (${override.entries.join(', ')}) is set in the panel's environment and overrides ` +
        'this setting: change it there and restart the panel, or unset it to manage the list here.',
      { field: 'trustedProxies' },
    );
  }
  const { trustedProxies } = trustedProxiesSchema.parse(input);
  const [before] = await tx.$queryRaw<Row[]>`
    SELECT trusted_proxies, updated_at FROM panel_settings WHERE id FOR UPDATE`;
  await tx.$executeRaw`
    UPDATE panel_settings SET trusted_proxies = ${trustedProxies}, updated_at = now(), updated_by = ${ctx.actor.id}::uuid
     WHERE id`;
  await recordAudit(tx, {
    userId: ctx.actor.id,
    action: 'settings.update',
    resourceType: 'user',
    resourceId: null,
    details: { setting: 'trusted_proxies', from: before?.trusted_proxies ?? '', to: trustedProxies },
    ip: ctx.meta?.ip ?? null,
    userAgent: ctx.meta?.userAgent ?? null,
  });
  return parseTrustedProxies(trustedProxies);
}

// Where a reverse proxy on the same host or network connects from: loopback, RFC 1918, carrier-grade NAT, link-local,
// IPv6 unique-local and link-local.
const PRIVATE = parseTrustedProxies(
  '127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16, ::1, fc00::/7, fe80::/10',
);

/** Whether `ip` is an address a proxy in front of the panel would typically connect from. */
export function isPrivateAddress(ip: string | null): boolean {
  return ip !== null && PRIVATE.blockList.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
}
