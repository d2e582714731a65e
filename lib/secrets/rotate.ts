// Key rotation: every stored secret moved onto the key ring's current key. Each batch is one transaction that locks
// its rows (FOR UPDATE) before rewriting them, so a panel writing the same row meanwhile waits instead of being
// overwritten with a stale value; batches walk the primary key (keyset pagination), so a table of any size is read
// in bounded pieces and rows are never skipped or visited twice.
// What is re-encrypted, with the associated data each was written with:
//   env_vars.value (where is_secret)     'env_vars.value'
//   databases.connection_string          'databases.connection_string'
//   certificates.private_key             'certificates.private_key'
//   git_sources.webhook_config.<field>   'git_sources.webhook_config.<field>' — every top-level string field that is
//       a ciphertext (today `secret`; deploy keys or tokens stored there later follow the same rule unchanged).
// A value that does not decrypt is reported and its row left as it was; the run goes on with the rest.
import { addKeyVersion, isEncrypted, loadKeyRing, reencryptSecret, type KeyRing } from '@/lib/crypto';
import { asSystem, type Tx } from '@/lib/db/context';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

export type TargetCount = { target: string; scanned: number; reencrypted: number; current: number; failed: number };
export type RotationFailure = { target: string; id: string; reason: string };
export type RotationReport = { keyVersion: number; counts: TargetCount[]; failures: RotationFailure[] };

/** `parent`: the row a trigger updates when this one changes, locked first (see lockedBatch). */
type Column = {
  target: string;
  table: string;
  column: string;
  where: string;
  parent?: { table: string; column: string };
};

const COLUMNS: readonly Column[] = [
  // Changing env_vars fires the mirror trigger, which updates the application row: lock it first, as the panel does.
  {
    target: 'env_vars.value',
    table: 'env_vars',
    column: 'value',
    where: 'is_secret',
    parent: { table: 'applications', column: 'application_id' },
  },
  {
    target: 'databases.connection_string',
    table: 'databases',
    column: 'connection_string',
    where: 'connection_string IS NOT NULL',
  },
  { target: 'certificates.private_key', table: 'certificates', column: 'private_key', where: 'TRUE' },
];
const WEBHOOK = 'git_sources.webhook_config';
// Rows whose webhook_config holds at least one string that looks like a ciphertext.
const WEBHOOK_WHERE = Prisma.sql`EXISTS (SELECT 1 FROM jsonb_each(webhook_config) f
  WHERE jsonb_typeof(f.value) = 'string' AND f.value #>> '{}' LIKE 'enc:v1:%')`;

export type ReencryptOptions = { batchSize?: number };

/** One batch: the rows to handle, and how far the walk got (`last`) over how many candidates (`seen`). */
type Batch<R> = { rows: R[]; last: string | null; seen: number };
type Select<R> = (tx: Tx, after: string | null, limit: number) => Promise<Batch<R>>;

const plainBatch = <R extends { id: string }>(rows: R[]): Batch<R> => ({
  rows,
  last: rows.at(-1)?.id ?? null,
  seen: rows.length,
});

/** Runs `handle` over every row `select` returns, a batch per transaction, in primary key order. */
async function walk<R>(
  db: PrismaClient,
  batchSize: number,
  select: Select<R>,
  handle: (tx: Tx, row: R) => Promise<void>,
) {
  let after: string | null = null;
  for (;;) {
    const batch: Batch<R> = await asSystem(db, async (tx) => {
      const found = await select(tx, after, batchSize);
      for (const row of found.rows) await handle(tx, row);
      return found;
    });
    if (batch.seen < batchSize || batch.last === null) return;
    after = batch.last;
  }
}

const afterId = (after: string | null) => (after === null ? Prisma.sql`TRUE` : Prisma.sql`id > ${after}::uuid`);

function reasonOf(error: unknown): string {
  // lib/crypto's messages are built from fixed text and key versions only: never a plaintext or a key.
  return error instanceof Error ? error.message : 'unknown error';
}

async function reencryptColumn(
  db: PrismaClient,
  ring: KeyRing,
  spec: Column,
  batchSize: number,
  report: RotationReport,
) {
  const count: TargetCount = { target: spec.target, scanned: 0, reencrypted: 0, current: 0, failed: 0 };
  report.counts.push(count);
  const table = Prisma.raw(spec.table);
  const column = Prisma.raw(spec.column);
  const where = Prisma.raw(spec.where);
  await walk<{ id: string; value: string }>(
    db,
    batchSize,
    async (tx, after, limit) => {
      if (!spec.parent) {
        return plainBatch(
          await tx.$queryRaw<{ id: string; value: string }[]>`
            SELECT id::text AS id, ${column} AS value FROM ${table}
             WHERE ${where} AND ${afterId(after)} ORDER BY id LIMIT ${limit} FOR UPDATE`,
        );
      }
      // Parents before children, in id order, the way the panel locks (application, then its variables): taking the
      // child first and letting the trigger reach for the parent could deadlock with a save in the panel.
      const parentColumn = Prisma.raw(spec.parent.column);
      const candidates = await tx.$queryRaw<{ id: string; parent: string }[]>`
        SELECT id::text AS id, ${parentColumn}::text AS parent FROM ${table}
         WHERE ${where} AND ${afterId(after)} ORDER BY id LIMIT ${limit}`;
      if (candidates.length === 0) return { rows: [], last: null, seen: 0 };
      const parents = [...new Set(candidates.map((c) => c.parent))];
      await tx.$queryRaw`SELECT 1 FROM ${Prisma.raw(spec.parent.table)} WHERE id = ANY(${parents}::uuid[]) ORDER BY id FOR NO KEY UPDATE`;
      const rows = await tx.$queryRaw<{ id: string; value: string }[]>`
        SELECT id::text AS id, ${column} AS value FROM ${table}
         WHERE id = ANY(${candidates.map((c) => c.id)}::uuid[]) AND ${where} ORDER BY id FOR UPDATE`;
      return { rows, last: candidates.at(-1)!.id, seen: candidates.length };
    },
    async (tx, row) => {
      count.scanned += 1;
      let next: string;
      try {
        next = reencryptSecret(ring, row.value, spec.target);
      } catch (error) {
        count.failed += 1;
        report.failures.push({ target: spec.target, id: row.id, reason: reasonOf(error) });
        return;
      }
      if (next === row.value) {
        count.current += 1;
        return;
      }
      await tx.$executeRaw`UPDATE ${table} SET ${column} = ${next} WHERE id = ${row.id}::uuid`;
      count.reencrypted += 1;
    },
  );
}

async function reencryptWebhooks(db: PrismaClient, ring: KeyRing, batchSize: number, report: RotationReport) {
  const count: TargetCount = { target: WEBHOOK, scanned: 0, reencrypted: 0, current: 0, failed: 0 };
  report.counts.push(count);
  await walk<{ id: string; config: Record<string, unknown> }>(
    db,
    batchSize,
    async (tx, after, limit) =>
      plainBatch(
        await tx.$queryRaw<{ id: string; config: Record<string, unknown> }[]>`
          SELECT id::text AS id, webhook_config AS config FROM git_sources
           WHERE ${WEBHOOK_WHERE} AND ${afterId(after)} ORDER BY id LIMIT ${limit} FOR UPDATE`,
      ),
    async (tx, row) => {
      const config = { ...row.config };
      let changed = 0;
      let failed = false;
      for (const [field, value] of Object.entries(row.config)) {
        if (!isEncrypted(value)) continue;
        count.scanned += 1;
        try {
          const next = reencryptSecret(ring, value, `${WEBHOOK}.${field}`);
          if (next === value) count.current += 1;
          else {
            config[field] = next;
            changed += 1;
          }
        } catch (error) {
          failed = true;
          count.failed += 1;
          report.failures.push({ target: `${WEBHOOK}.${field}`, id: row.id, reason: reasonOf(error) });
        }
      }
      // One bad field leaves the whole row as it was: a row is either moved or not, never half.
      if (failed || changed === 0) return;
      await tx.$executeRaw`UPDATE git_sources SET webhook_config = ${JSON.stringify(config)}::jsonb WHERE id = ${row.id}::uuid`;
      count.reencrypted += changed;
    },
  );
}

/** Moves every stored secret onto `ring.current`. Values already on it are checked (decrypted) but not rewritten. */
export async function reencryptAll(
  db: PrismaClient,
  ring: KeyRing,
  options: ReencryptOptions = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 100;
  const report: RotationReport = { keyVersion: ring.current, counts: [], failures: [] };
  for (const spec of COLUMNS) await reencryptColumn(db, ring, spec, batchSize, report);
  await reencryptWebhooks(db, ring, batchSize, report);
  return report;
}

/** How many well-formed ciphertexts are on a key version other than `version` (a rotation left unfinished). */
export async function countStale(db: PrismaClient, version: number): Promise<number> {
  const prefix = `enc:v1:${version}:`;
  const rows = await asSystem(
    db,
    (tx) =>
      tx.$queryRaw<{ n: bigint }[]>`
      SELECT (SELECT count(*) FROM env_vars WHERE is_secret AND value LIKE 'enc:v1:%' AND NOT starts_with(value, ${prefix}))
           + (SELECT count(*) FROM databases WHERE connection_string LIKE 'enc:v1:%' AND NOT starts_with(connection_string, ${prefix}))
           + (SELECT count(*) FROM certificates WHERE private_key LIKE 'enc:v1:%' AND NOT starts_with(private_key, ${prefix}))
           + (SELECT count(*) FROM git_sources, jsonb_each(webhook_config) f
               WHERE jsonb_typeof(f.value) = 'string' AND f.value #>> '{}' LIKE 'enc:v1:%'
                 AND NOT starts_with(f.value #>> '{}', ${prefix})) AS n`,
  );
  return Number(rows[0]?.n ?? 0);
}

export type RotateOptions = ReencryptOptions & { secretKey?: string; dataDir: string };
export type RotateResult = RotationReport & { addedKey: boolean; keySource: 'env' | 'file'; stale: number };

/**
 * `npm run secrets:rotate`. With SLIPWAY_SECRET_KEY the operator supplies the keys: everything is moved onto its
 * first (current) entry. Otherwise a new key version is added to the key file first (older versions stay, so
 * backups made before the rotation can still be read) — unless secrets are still on an older version, which means
 * a previous rotation did not finish: then this run finishes it instead of adding yet another key.
 */
export async function rotateSecrets(db: PrismaClient, options: RotateOptions): Promise<RotateResult> {
  if (options.secretKey !== undefined) {
    const ring = await loadKeyRing({ secretKey: options.secretKey, dataDir: options.dataDir });
    const stale = await countStale(db, ring.current);
    return { ...(await reencryptAll(db, ring, options)), addedKey: false, keySource: 'env', stale };
  }
  const existing = await loadKeyRing({ dataDir: options.dataDir });
  const stale = await countStale(db, existing.current);
  const ring = stale > 0 ? existing : await addKeyVersion(options.dataDir);
  return { ...(await reencryptAll(db, ring, options)), addedKey: stale === 0, keySource: 'file', stale };
}
