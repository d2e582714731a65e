// The two calls the browser makes to next-auth (sign in with a password, sign out), without shipping
// next-auth/react: fetch the CSRF token, then post the form next-auth expects. Client-only.
async function csrfToken(): Promise<string> {
  const response = await fetch('/api/auth/csrf', { cache: 'no-store' });
  const body = (await response.json()) as { csrfToken?: string };
  if (!body.csrfToken) throw new Error('The server did not give a CSRF token.');
  return body.csrfToken;
}

async function post(path: string, fields: Record<string, string>): Promise<{ url?: string }> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-auth-return-redirect': '1' },
    body: new URLSearchParams({ ...fields, csrfToken: await csrfToken(), json: 'true' }),
  });
  return (await response.json().catch(() => ({}))) as { url?: string };
}

/** null on success, otherwise next-auth's error code ("CredentialsSignin") or the message the server raised. */
export async function signInWithPassword(identifier: string, password: string): Promise<string | null> {
  const { url } = await post('/api/auth/callback/credentials', { identifier, password, callbackUrl: '/' });
  if (!url) return 'CredentialsSignin';
  return new URL(url, window.location.origin).searchParams.get('error');
}

export async function signOutHere(): Promise<void> {
  await post('/api/auth/signout', { callbackUrl: '/sign-in' });
}
