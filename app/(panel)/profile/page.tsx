import type { Metadata } from 'next';
import type { ComponentProps } from 'react';

import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { Section } from '@/components/ui/section';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { getOwnAccount } from '@/lib/users/queries';
import { readPreferences } from '@/lib/validation/preferences';

import { PasswordForm } from './_components/password-form';
import { PreferencesForm } from './_components/preferences-form';
import { SignOutEverywhereForm } from './_components/sign-out-everywhere-form';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Profile' };

/** Each part of the profile is a section on its own card. */
function CardSection(props: ComponentProps<typeof Section>) {
  return (
    <Card className="p-6">
      <Section {...props} />
    </Card>
  );
}

export default async function ProfilePage() {
  const user = await requireUser();
  const account = await asUser(await getDb(), user.id, (tx) => getOwnAccount(tx, user.id));

  return (
    <div className="flex max-w-3xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Profile</h1>
        <p className="mt-1 text-sm text-muted">Your account, your password and how Slipway looks and talks to you.</p>
      </div>

      <CardSection id="account-title" title="Account">
        <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
          <dt className="text-muted">Username</dt>
          <dd className="font-medium">{user.username}</dd>
          <dt className="text-muted">Email</dt>
          <dd>{user.email}</dd>
          <dt className="text-muted">Role</dt>
          <dd>
            <Badge>{user.role}</Badge>
          </dd>
          {account && (
            <>
              <dt className="text-muted">Member since</dt>
              <dd>
                <DateTime value={account.createdAt} />
              </dd>
            </>
          )}
        </dl>
        <p className="text-xs text-muted">An administrator changes usernames, emails and roles.</p>
      </CardSection>

      <CardSection id="password-title" title="Password">
        {account?.hasPassword ? (
          <PasswordForm username={user.username} />
        ) : (
          <p className="text-sm text-muted">This account signs in with GitHub and has no Slipway password.</p>
        )}
      </CardSection>

      <CardSection
        id="preferences-title"
        title="Preferences"
        description="Saved with your account, so they follow you to other browsers."
      >
        <PreferencesForm initial={readPreferences(user.preferences)} />
      </CardSection>

      <CardSection
        id="sessions-title"
        title="Sessions"
        description="Lost a device, or signed in somewhere you should not have? End every session of this account, wherever it is: each one stops working on its next request. Your API tokens are revoked too, unless you keep them."
      >
        <SignOutEverywhereForm />
      </CardSection>
    </div>
  );
}
