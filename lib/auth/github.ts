// GitHub's /user/emails answer → the addresses we may link on: verified ones only, the primary first.
export type GitHubEmail = { email: string; primary: boolean; verified: boolean };

export function pickVerifiedEmail(emails: unknown): string[] {
  if (!Array.isArray(emails)) return [];
  return (emails as GitHubEmail[])
    .filter((e) => e && typeof e.email === 'string' && e.verified === true && e.email.includes('@'))
    .sort((a, b) => Number(b.primary === true) - Number(a.primary === true))
    .map((e) => e.email);
}
