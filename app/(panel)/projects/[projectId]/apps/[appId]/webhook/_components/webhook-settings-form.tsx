'use client';

// Auto-deploy on or off, the branch whose pushes deploy, and whether tag pushes deploy too.
import { useActionState, useId } from 'react';

import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';
import { GIT_BRANCH_MAX } from '@/lib/validation/git-source-limits';

import { updateWebhookSettingsAction } from '../../source/actions';

type Props = {
  applicationId: string;
  sourceBranch: string;
  current: { autoDeploy: boolean; watchedBranch: string; deployTags: boolean };
};

/** A checkbox named by its label alone; the hint describes it. */
function Checkbox({
  name,
  label,
  hint,
  defaultChecked,
}: {
  name: string;
  label: string;
  hint: string;
  defaultChecked: boolean;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2 text-sm">
      <input
        id={id}
        type="checkbox"
        name={name}
        defaultChecked={defaultChecked}
        aria-describedby={`${id}-hint`}
        className="mt-0.5 size-4 accent-current"
      />
      <div>
        <label htmlFor={id} className="block font-medium">
          {label}
        </label>
        <span id={`${id}-hint`} className="block text-xs text-muted">
          {hint}
        </span>
      </div>
    </div>
  );
}

export function WebhookSettingsForm({ applicationId, sourceBranch, current }: Props) {
  const [state, action] = useActionState(updateWebhookSettingsAction, initialActionState);
  const values = state.values;
  // After a save (or a refusal) the form shows what was sent; before, what is stored.
  const checked = (name: 'autoDeploy' | 'deployTags') => (values ? values[name] === 'on' : current[name]);
  const branch = values
    ? (values.watchedBranch ?? '')
    : current.watchedBranch === sourceBranch
      ? ''
      : current.watchedBranch;
  return (
    <form action={action} className="space-y-4" noValidate aria-label="Webhook settings">
      <FormMessage ok={false} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <Checkbox
        name="autoDeploy"
        label="Deploy on push"
        hint="A signed push to the watched branch queues a deployment of its commit."
        defaultChecked={checked('autoDeploy')}
      />
      <Field
        key={branch}
        label="Watched branch"
        name="watchedBranch"
        defaultValue={branch}
        placeholder={sourceBranch}
        errors={state.fieldErrors?.watchedBranch}
        hint={`Pushes to this branch deploy. Leave blank to follow the source’s branch (${sourceBranch}).`}
        autoComplete="off"
        spellCheck={false}
        className="max-w-sm font-mono"
        maxLength={GIT_BRANCH_MAX}
      />
      <Checkbox
        name="deployTags"
        label="Deploy tag pushes"
        hint="A pushed tag deploys the commit it points at."
        defaultChecked={checked('deployTags')}
      />
      <SubmitButton pendingLabel="Saving…" variant="secondary">
        Save webhook settings
      </SubmitButton>
    </form>
  );
}
