import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { getCurrentUser } from '@/lib/auth/session';
import { needsSetup } from '@/lib/auth/setup';
import { getDb } from '@/lib/db';

import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  if (await needsSetup(await getDb())) redirect('/setup');
  if (await getCurrentUser()) redirect('/');
  const params = await searchParams;
  const notice = params.setup === 'done' ? 'Your account is ready. Sign in with it.' : undefined;
  return (
    <div className="mx-auto max-w-sm space-y-6 py-12">
      <h1 className="text-2xl font-semibold">Sign in to Slipway</h1>
      <SignInForm notice={notice} />
    </div>
  );
}
