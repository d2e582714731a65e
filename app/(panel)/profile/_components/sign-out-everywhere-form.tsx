'use client';

import { ConfirmForm } from '@/components/ui/confirm-form';

import { signOutEverywhereAction } from '../actions';
import { KeepApiTokensField } from './keep-api-tokens-field';

export function SignOutEverywhereForm() {
  return (
    <ConfirmForm
      action={signOutEverywhereAction}
      question="Sign out on every device and browser, this one included?"
      label="Sign out everywhere"
      pendingLabel="Signing out…"
      danger
      className="space-y-3"
    >
      <KeepApiTokensField />
    </ConfirmForm>
  );
}
