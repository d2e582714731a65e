// GET/POST /api/auth/* — next-auth: sign-in (credentials, GitHub), sign-out, session, CSRF token.
import NextAuth from 'next-auth';

import { authOptions } from '@/lib/auth/options';

export const dynamic = 'force-dynamic';

type Handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

const handle: Handler = async (request, context) => {
  const handler = NextAuth(authOptions()) as unknown as (
    r: Request,
    c: { params: { nextauth: string[] } },
  ) => Promise<Response>;
  return handler(request, { params: await context.params });
};

export { handle as GET, handle as POST };
