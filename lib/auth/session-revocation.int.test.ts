// D63: signing out revokes that one session (its sid) on the server, so a copy of its cookie is refused; other
// sessions of the same user go on. The check is the per-request user lookup itself (userForSessionClaims).
import { describe, expect, it } from 'vitest';

import { newUser, setUpTestDatabase } from '@/lib/testing/fixtures';

import { newSessionClaims, revokeSession, userForSessionClaims, type SessionClaims } from './session-revocation';

const t = setUpTestDatabase();

/** The claims a fresh sign-in of the user puts in the cookie. */
async function signedIn(): Promise<SessionClaims & { uid: string; sid: string }> {
  const user = await newUser(t());
  const { rows } = await t().db.pool.query<{ sv: number }>('SELECT session_version AS sv FROM users WHERE id = $1', [
    user.id,
  ]);
  return { uid: user.id, sv: rows[0]!.sv, ...newSessionClaims() };
}

const userFor = (claims: SessionClaims | null) => userForSessionClaims(t().db.prisma, claims);

async function signOutRows(userId: string) {
  const { rows } = await t().db.pool.query<{ user_id: string }>(
    "SELECT user_id FROM audit_logs WHERE action = 'auth.sign_out' AND resource_id = $1",
    [userId],
  );
  return rows;
}

describe('signing out one session', () => {
  it('refuses that session from then on, and audits the sign-out once', async () => {
    const claims = await signedIn();
    expect(await userFor(claims)).toMatchObject({ id: claims.uid });

    expect(await revokeSession(t().db.prisma, claims)).toBe(true);
    // A copy of the cookie carries the same claims: refused.
    expect(await userFor({ ...claims })).toBeNull();

    // Signing out again (a second tab) changes nothing and is not audited twice.
    expect(await revokeSession(t().db.prisma, claims)).toBe(false);
    expect(await signOutRows(claims.uid)).toEqual([{ user_id: claims.uid }]);
  });

  it("leaves the user's other sessions alone", async () => {
    const first = await signedIn();
    const second = { ...first, ...newSessionClaims() };
    await revokeSession(t().db.prisma, first);
    expect(await userFor(first)).toBeNull();
    expect(await userFor(second)).toMatchObject({ id: first.uid });
  });

  it('keeps the revocation until the session would have ended anyway, so pruning can drop it then', async () => {
    const claims = await signedIn();
    await revokeSession(t().db.prisma, claims);
    const { rows } = await t().db.pool.query<{ expires_at: Date }>(
      'SELECT expires_at FROM revoked_sessions WHERE sid = $1',
      [claims.sid],
    );
    expect(rows[0]!.expires_at.getTime()).toBe((claims.sexp as number) * 1000);
  });
});

describe('a session is refused', () => {
  it('without a sid or an end (a cookie from before D63), or with malformed ones', async () => {
    const { uid, sv, sid, sexp } = await signedIn();
    for (const claims of [
      { uid, sv },
      { uid, sv, sid },
      { uid, sv, sexp },
      { uid, sv, sid: 'not-a-uuid', sexp },
      { uid, sv, sid, sexp: String(sexp) },
      { uid: 'not-a-uuid', sv, sid, sexp },
    ]) {
      expect(await userFor(claims)).toBeNull();
    }
    expect(await userFor({ uid, sv, sid, sexp })).not.toBeNull();
  });

  it('past its end, even when its cookie was refreshed since', async () => {
    const claims = await signedIn();
    expect(await userFor({ ...claims, sexp: Math.floor(Date.now() / 1000) - 1 })).toBeNull();
  });

  it('after a new session version (sign out everywhere) or when the user is disabled', async () => {
    const claims = await signedIn();
    await t().db.pool.query('UPDATE users SET session_version = session_version + 1 WHERE id = $1', [claims.uid]);
    expect(await userFor(claims)).toBeNull();

    const other = await signedIn();
    await t().db.pool.query('UPDATE users SET disabled_at = now() WHERE id = $1', [other.uid]);
    // The trigger bumped the version too; even with the new one, a disabled user is refused.
    expect(await userFor({ ...other, sv: (other.sv as number) + 1 })).toBeNull();
  });
});
