'use client';

import { useActionState } from 'react';

import { SourceFields, type SourceType } from '@/components/source-fields';
import { FormMessage } from '@/components/ui/form-message';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';

import { updateSourceAction } from '../actions';

/** The source of an application of `type` (the type itself never changes). `current` are the stored values. */
export function SourceForm({
  applicationId,
  type,
  current,
}: {
  applicationId: string;
  type: SourceType;
  current: Record<string, string>;
}) {
  const [state, action] = useActionState(updateSourceAction, initialActionState);
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage ok={false} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <input type="hidden" name="type" value={type} />
      <SourceFields type={type} values={state.values ?? current} errors={state.fieldErrors ?? {}} />
      <SubmitButton pendingLabel="Saving…">Save source</SubmitButton>
    </form>
  );
}
