// GET /api/me — who the caller is (session cookie or `Authorization: Bearer <API token>`), for scripts and CI.
import { authenticated } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = authenticated(async (_request, { user }) =>
  Response.json({ id: user.id, username: user.username, email: user.email, role: user.role }),
);
