'use client';

// Adding a domain to this application: the name, where it routes inside the application, TLS, and the www/apex
// partner. Errors beside their fields, typed values kept, a toast on success.
import { useActionState } from 'react';

import { Field } from '@/components/ui/field';
import { FieldError } from '@/components/ui/field-error';
import { FormMessage } from '@/components/ui/form-message';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';

import { addDomainAction } from '../actions';

export const PATH_PREFIX_HINT =
  'Blank for every path. Letters, digits and . _ ~ % - between single slashes, e.g. /api.';
export const PORT_HINT = 'Blank for the application’s first port.';

export function AddDomainForm({ projectId, applicationId }: { projectId: string; applicationId: string }) {
  const [state, action] = useActionState(addDomainAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  const values = state.ok ? undefined : state.values;
  return (
    <form key={JSON.stringify(values ?? {})} action={action} className="space-y-4" noValidate aria-label="Add a domain">
      <FormMessage ok={state.ok} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="targetType" value="application" />
      <input type="hidden" name="targetId" value={applicationId} />
      <div className="grid gap-4 md:grid-cols-3">
        <Field
          label="Domain"
          name="domain"
          defaultValue={values?.domain}
          errors={errors.domain}
          maxLength={300}
          placeholder="app.example.com"
          autoComplete="off"
          spellCheck={false}
          hint="A name you own, such as app.example.com, bücher.de or *.example.com."
          required
        />
        <Field
          label="Path prefix"
          name="pathPrefix"
          defaultValue={values?.pathPrefix}
          errors={errors.pathPrefix}
          maxLength={255}
          placeholder="/"
          autoComplete="off"
          spellCheck={false}
          hint={PATH_PREFIX_HINT}
          optional
        />
        <Field
          label="Container port"
          name="containerPort"
          defaultValue={values?.containerPort}
          errors={errors.containerPort}
          inputMode="numeric"
          placeholder="first port"
          autoComplete="off"
          hint={PORT_HINT}
          optional
        />
      </div>
      <div className="space-y-2">
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            name="tlsEnabled"
            defaultChecked={values ? values.tlsEnabled === 'on' : true}
            className="size-4"
          />
          <span>HTTPS (a certificate is obtained automatically; HTTP redirects to HTTPS)</span>
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="withPartner" defaultChecked={values?.withPartner === 'on'} className="size-4" />
          <span>Also redirect www/apex here (example.com ↔ www.example.com)</span>
        </label>
        <FieldError id="withPartner-error" errors={errors.withPartner} />
      </div>
      <SubmitButton pendingLabel="Adding…">Add domain</SubmitButton>
    </form>
  );
}
