// Password hashing: bcrypt, cost 12 (docs/decisions.md D9). Verifying costs one bcrypt comparison whatever
// happens (unknown user, over-long input, malformed stored hash), so the time taken does not tell whether an
// account exists.
import bcrypt from 'bcryptjs';

import { AppError } from '@/lib/errors';
import { PASSWORD_MAX_BYTES } from '@/lib/validation/password';

export const BCRYPT_COST = 12;

/** bcrypt (cost 12) of a random string nobody knows: compared against when there is no real hash. */
const DUMMY_HASH = '$2b$12$yt7VfYbp06Oc5E7au8P2zO01uOl2qbohjdcQdMxxXgeLaCqOt9c6C';

/** A longer input is never a stored password (the policy refuses them); bcrypt would compare only its first 72 bytes. */
const tooLong = (plain: string) =>
  plain.length > PASSWORD_MAX_BYTES || Buffer.byteLength(plain, 'utf8') > PASSWORD_MAX_BYTES;

/** Hashes a password that passed lib/validation/password.ts. */
export async function hashPassword(plain: string): Promise<string> {
  if (plain === '' || tooLong(plain)) {
    throw new AppError(
      'invalid',
      `A password must be 1–${PASSWORD_MAX_BYTES} bytes long: check it against the password policy first.`,
    );
  }
  return bcrypt.hash(plain, BCRYPT_COST);
}

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** True when `plain` matches `hash`. A null or unreadable hash (no such user, no password) is false, after the same work. */
export async function verifyPassword(plain: string, hash: string | null): Promise<boolean> {
  const real = hash !== null && BCRYPT_HASH.test(hash);
  const matches = await bcrypt.compare(plain, real ? hash : DUMMY_HASH).catch(() => false);
  return real && matches && !tooLong(plain);
}
