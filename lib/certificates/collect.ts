// Recording the certificates the proxy issued. Caddy's file_system storage keeps each one as
// certificates/<issuer dir>/<name>/<name>.crt (the chain) and .key; the issuer dir of its internal CA is `local`,
// an ACME CA's is named after its directory URL. The proxy's storage is bind-mounted under the panel's data dir and
// its root passed in here. Every certificate whose names are domains of ours becomes (or stays) a row per
// (domain, fingerprint): a renewal adds a row, so a domain keeps its history, and the newest is the one in use.
// Runs as the system (it is the panel's background work, for every tenant's domains).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { asSystem } from '@/lib/db/context';
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { describeChain, keyMatches, readChain, readPrivateKey } from './pem';
import { encryptPrivateKey, type KeyOptions } from './private-key';

/** Caddy's directory for certificates of its own CA (the `internal` issuer). */
export const INTERNAL_ISSUER_DIR = 'local';

export type CollectResult = {
  /** Rows written for certificates seen the first time. */
  recorded: number;
  /** Certificates already recorded (their checked_at moved on). */
  seen: number;
  /** What could not be recorded, and why (a path under the storage root). */
  skipped: { path: string; reason: string }[];
};

export type CollectOptions = KeyOptions & { storageRoot: string; now?: Date };

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Scans the proxy's storage and records every certificate of one of our domains. */
export async function collectProxyCertificates(db: PrismaClient, options: CollectOptions): Promise<CollectResult> {
  const now = options.now ?? new Date();
  const result: CollectResult = { recorded: 0, seen: 0, skipped: [] };
  const root = join(options.storageRoot, 'certificates');
  for (const issuerDir of await entries(root)) {
    for (const name of await entries(join(root, issuerDir))) {
      const path = join('certificates', issuerDir, name);
      try {
        const outcome = await collectOne(db, options, {
          source: issuerDir === INTERNAL_ISSUER_DIR ? 'internal' : 'acme',
          crt: await readFile(join(root, issuerDir, name, `${name}.crt`), 'utf8'),
          key: await readFile(join(root, issuerDir, name, `${name}.key`), 'utf8'),
          now,
        });
        if (typeof outcome === 'string') result.skipped.push({ path, reason: outcome });
        else {
          result.recorded += outcome.recorded;
          result.seen += outcome.seen;
        }
      } catch (error) {
        result.skipped.push({ path, reason: (error as Error).message });
      }
    }
  }
  return result;
}

async function collectOne(
  db: PrismaClient,
  options: KeyOptions,
  found: { source: 'acme' | 'internal'; crt: string; key: string; now: Date },
): Promise<{ recorded: number; seen: number } | string> {
  const chain = readChain(found.crt);
  const key = readPrivateKey(found.key);
  if (!keyMatches(chain[0]!, key)) return 'the key does not match the certificate';
  const info = describeChain(chain);
  // The trigger refuses an expired certificate (D2); one the proxy has not renewed is the watcher's to warn about.
  if (info.expiresAt.getTime() <= found.now.getTime()) return 'expired';
  if (info.subjects.length === 0) return 'the certificate names no DNS name';
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return asSystem(db, async (tx) => {
    const domains = await tx.domain.findMany({ where: { domain: { in: info.subjects } }, select: { id: true } });
    let recorded = 0;
    let seen = 0;
    for (const domain of domains) {
      const updated = await tx.certificate.updateMany({
        where: { domainId: domain.id, fingerprint: info.fingerprint },
        data: { checkedAt: found.now },
      });
      if (updated.count > 0) {
        seen += 1;
        continue;
      }
      // Two collectors at once: the unique (domain_id, fingerprint) keeps one row, the other insert does nothing.
      const inserted = await tx.$executeRaw`
        INSERT INTO certificates (domain_id, issuer, certificate, private_key, expires_at, created_at, source,
                                  fingerprint, checked_at)
        VALUES (${domain.id}::uuid, ${info.issuer}, ${info.chainPem}, ${await encryptPrivateKey(options, keyPem)},
                ${info.expiresAt}, ${info.notBefore}, ${found.source}, ${info.fingerprint}, ${found.now})
        ON CONFLICT (domain_id, fingerprint) DO NOTHING`;
      recorded += inserted;
    }
    return domains.length ? { recorded, seen } : 'no domain of ours';
  });
}
