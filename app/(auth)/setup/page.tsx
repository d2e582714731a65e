import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { needsSetup } from '@/lib/auth/setup';
import { getDb } from '@/lib/db';

import { SetupForm } from './setup-form';

export const metadata: Metadata = { title: 'Set up' };
export const dynamic = 'force-dynamic';

export default async function SetupPage() {
  if (!(await needsSetup(await getDb()))) redirect('/sign-in');
  return (
    <div className="mx-auto max-w-sm space-y-6 py-12">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">Welcome to Slipway</h1>
        <p className="text-sm text-muted">
          Create the first account. It becomes the super administrator; there are no default credentials.
        </p>
      </div>
      <SetupForm />
    </div>
  );
}
