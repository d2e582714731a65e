// Who is asking. Pages and server actions call requireUser(); route handlers call authenticateRequest(), which also
// accepts `Authorization: Bearer <API token>`. A session is only valid while its session_version matches the user's
// (a password or role change, disabling, or "sign out everywhere" bumps it), it was not signed out (its sid is not
// revoked, D63) and the user is not disabled.
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { cache } from 'react';

import { getDb } from '@/lib/db';
import { toSessionUser, type SessionUser } from '@/lib/users/queries';

import { authOptions, userForSession } from './options';
import type { SessionClaims } from './session-revocation';
import { bearerFrom, validateApiToken } from './tokens';

export type { SessionUser } from '@/lib/users/queries';

export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = (await getServerSession(authOptions())) as SessionClaims | null;
  const user = await userForSession(session);
  return user ? toSessionUser(user) : null;
});

export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  return user;
}

/** Session cookie or API token; null when neither identifies an active user. */
export async function authenticateRequest(request: Request): Promise<SessionUser | null> {
  // A request that sends credentials is judged on them alone: a bad token never falls back to a cookie.
  if (request.headers.has('authorization')) {
    const token = bearerFrom(request);
    return token === null ? null : validateApiToken(await getDb(), token);
  }
  return getCurrentUser();
}
