'use client';

import { ConfirmForm } from '@/components/ui/confirm-form';

import { syncProxyNowAction } from '../actions';

export function SyncNow() {
  return (
    <ConfirmForm
      action={syncProxyNowAction}
      question="Render the proxy's configuration from the database and load it now?"
      label="Sync now"
      pendingLabel="Asking…"
    />
  );
}
