'use client';

// The application's domains: each name (Unicode, with its punycode when they differ) linking to its own page, where
// it routes, TLS, the redirect, whether the proxy serves it yet, and its certificate. Edit opens the row's form in
// place; Remove asks first (naming the redirects that go with it); Check DNS says where the name points.
import Link from 'next/link';
import { Fragment, useActionState, useState, useTransition } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { DateTime } from '@/components/ui/date-time';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SelectField } from '@/components/ui/select';
import { SubmitButton } from '@/components/ui/submit-button';
import { DataTable } from '@/components/ui/table';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';
import type { DomainView } from '@/lib/domains/queries';

import { checkDomainDnsAction, removeDomainAction, updateDomainAction, type DnsResult } from '../actions';
import { PATH_PREFIX_HINT, PORT_HINT } from './add-domain-form';

function DomainName({ domain, basePath }: { domain: DomainView; basePath: string }) {
  return (
    <span className="flex flex-col">
      <Link href={`${basePath}/${domain.id}`} className="font-medium hover:underline">
        {domain.display}
      </Link>
      {domain.display !== domain.domain && <span className="font-mono text-xs text-muted">{domain.domain}</span>}
    </span>
  );
}

function Certificate({ domain, now }: { domain: DomainView; now: number }) {
  if (!domain.tlsEnabled) return <span className="text-muted">HTTP only</span>;
  if (!domain.certificate) return <span className="text-muted">none yet</span>;
  const expired = new Date(domain.certificate.expiresAt).getTime() < now;
  return (
    <span className="flex flex-col text-xs">
      <span>{domain.certificate.issuer}</span>
      <span className={expired ? 'text-red-700 dark:text-red-400' : 'text-muted'}>
        {expired ? 'expired' : 'expires'} <DateTime value={domain.certificate.expiresAt} />
      </span>
    </span>
  );
}

function DnsCheckButton({ projectId, domainId }: { projectId: string; domainId: string }) {
  const [result, setResult] = useState<DnsResult | null>(null);
  const [pending, start] = useTransition();
  const tone = result?.ok
    ? result.check.verdict === 'points_here'
      ? 'text-emerald-700 dark:text-emerald-400'
      : 'text-amber-700 dark:text-amber-400'
    : 'text-red-700 dark:text-red-400';
  return (
    <div className="space-y-1">
      <Button
        disabled={pending}
        onClick={() => start(async () => setResult(await checkDomainDnsAction(projectId, domainId)))}
      >
        {pending ? 'Checking…' : 'Check DNS'}
      </Button>
      {result && (
        <p role="status" className={`max-w-xs text-xs ${tone}`}>
          {result.ok ? result.check.hint : result.message}
        </p>
      )}
    </div>
  );
}

function EditDomainForm({
  projectId,
  domain,
  redirectTargets,
  onDone,
}: {
  projectId: string;
  domain: DomainView;
  redirectTargets: DomainView[];
  onDone: () => void;
}) {
  const [state, action] = useActionState(updateDomainAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  const values = state.ok ? undefined : state.values;
  return (
    <form
      key={JSON.stringify(values ?? {})}
      action={action}
      noValidate
      className="space-y-3"
      aria-label={`Edit ${domain.display}`}
    >
      <FormMessage ok={state.ok} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="domainId" value={domain.id} />
      <div className="grid gap-3 md:grid-cols-3">
        <Field
          label="Path prefix"
          name="pathPrefix"
          defaultValue={values?.pathPrefix ?? domain.pathPrefix}
          errors={errors.pathPrefix}
          maxLength={255}
          spellCheck={false}
          hint={PATH_PREFIX_HINT}
        />
        <Field
          label="Container port"
          name="containerPort"
          defaultValue={values?.containerPort ?? (domain.containerPort === null ? '' : String(domain.containerPort))}
          errors={errors.containerPort}
          inputMode="numeric"
          hint={PORT_HINT}
          optional
        />
        <SelectField
          label="Redirect to"
          name="redirectToId"
          defaultValue={values?.redirectToId ?? domain.redirectTo?.id ?? ''}
          errors={errors.redirectToId}
          hint="A redirect answers 308 with the same path and query."
        >
          <option value="">No redirect: serve the application</option>
          {redirectTargets.map((target) => (
            <option key={target.id} value={target.id}>
              {target.display}
            </option>
          ))}
        </SelectField>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          name="tlsEnabled"
          defaultChecked={values ? values.tlsEnabled === 'on' : domain.tlsEnabled}
          className="size-4"
        />
        <span>HTTPS</span>
      </label>
      <div className="flex gap-2">
        <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
        <Button onClick={onDone}>Close</Button>
      </div>
    </form>
  );
}

export function DomainTable({
  projectId,
  domains,
  canWrite,
  basePath,
  now,
}: {
  projectId: string;
  domains: DomainView[];
  canWrite: boolean;
  /** This tab's path: each name links to its own page below it. */
  basePath: string;
  /** When the page was rendered (ms), so server and browser agree on what has expired. */
  now: number;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const headings = ['Domain', 'Path', 'Port', 'Routes', 'Status', 'Certificate', { label: 'Actions', hidden: true }];
  return (
    <DataTable headings={headings}>
      {domains.map((domain) => {
        const redirects = domains.filter((d) => d.redirectTo?.id === domain.id).map((d) => d.display);
        return (
          <Fragment key={domain.id}>
            <tr>
              <th scope="row" className="px-4 py-3 text-left">
                <DomainName domain={domain} basePath={basePath} />
              </th>
              <td className="px-4 py-3 font-mono text-xs">{domain.pathPrefix}</td>
              <td className="px-4 py-3 tabular-nums">
                {domain.containerPort ?? <span className="text-muted">first</span>}
              </td>
              <td className="px-4 py-3">
                {domain.redirectTo ? (
                  <span>
                    <Badge tone="violet">308</Badge> to {domain.redirectTo.display}
                  </span>
                ) : (
                  <span>{domain.tlsEnabled ? 'HTTPS' : 'HTTP'}</span>
                )}
              </td>
              <td className="px-4 py-3">
                {domain.status === 'serving' ? (
                  <Badge tone="green">serving</Badge>
                ) : (
                  <Badge tone="amber">pending</Badge>
                )}
              </td>
              <td className="px-4 py-3">
                <Certificate domain={domain} now={now} />
              </td>
              <td className="px-4 py-3">
                <div className="flex flex-wrap items-start justify-end gap-2">
                  <DnsCheckButton projectId={projectId} domainId={domain.id} />
                  {canWrite && (
                    <>
                      <Button onClick={() => setEditing(editing === domain.id ? null : domain.id)}>Edit</Button>
                      <ConfirmForm
                        action={removeDomainAction}
                        fields={{ projectId, domainId: domain.id }}
                        question={`Remove ${domain.display}${redirects.length ? ` and its redirect${redirects.length > 1 ? 's' : ''} ${redirects.join(', ')}` : ''}? The proxy stops answering for ${redirects.length ? 'them' : 'it'}.`}
                        label="Remove"
                        pendingLabel="Removing…"
                        danger
                        compact
                      />
                    </>
                  )}
                </div>
              </td>
            </tr>
            {canWrite && editing === domain.id && (
              <tr>
                <td colSpan={headings.length} className="px-4 pb-4">
                  <EditDomainForm
                    projectId={projectId}
                    domain={domain}
                    redirectTargets={domains.filter((d) => d.id !== domain.id && !d.redirectTo)}
                    onDone={() => setEditing(null)}
                  />
                </td>
              </tr>
            )}
          </Fragment>
        );
      })}
    </DataTable>
  );
}
