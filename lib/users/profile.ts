// What the profile page shows of the signed-in user's own account beyond the session: whether it has a password
// at all (GitHub-only accounts do not; the hash itself is never read) and when it was made. users has no row-level
// security; the `where` is the user's own id, the only row this may read.
import type { Tx } from '@/lib/db/context';

export type AccountFacts = { hasPassword: boolean; createdAt: Date };

export async function getOwnAccount(tx: Tx, userId: string): Promise<AccountFacts | null> {
  // In SQL, so the hash never leaves the database: only whether there is one.
  const [row] = await tx.$queryRaw<{ has_password: boolean; created_at: Date }[]>`
    SELECT password_hash IS NOT NULL AS has_password, created_at FROM users WHERE id = ${userId}::uuid`;
  return row ? { hasPassword: row.has_password, createdAt: row.created_at } : null;
}
