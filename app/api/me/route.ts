// GET /api/me — who the caller is (session cookie or `Authorization: Bearer <API token>`), for scripts and CI.
import { authenticateRequest } from '@/lib/auth/session';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const user = await authenticateRequest(request);
  if (!user) {
    return Response.json(
      { error: 'Not signed in, or the API token is invalid, expired or revoked.' },
      { status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer' } },
    );
  }
  return Response.json(
    { id: user.id, username: user.username, email: user.email, role: user.role },
    { headers: { 'cache-control': 'no-store' } },
  );
}
