'use client';

import { useActionState } from 'react';

import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';

import { updateGeneralAction } from '../actions';

export function GeneralForm({
  applicationId,
  name,
  replicas,
}: {
  applicationId: string;
  name: string;
  replicas: number;
}) {
  const [state, action] = useActionState(updateGeneralAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage ok={false} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Name"
          name="name"
          defaultValue={state.values?.name ?? name}
          errors={errors.name}
          maxLength={63}
          hint="1–63 lowercase letters a–z, digits and hyphens; it becomes the Swarm service name."
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <Field
          label="Replicas"
          name="replicas"
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          defaultValue={state.values?.replicas ?? String(replicas)}
          errors={errors.replicas}
          hint="0 to 100 copies of the service; 0 keeps it defined but stopped."
        />
      </div>
      <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
    </form>
  );
}
