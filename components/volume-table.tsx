'use client';

// The volumes list, on an application's tab (its own volumes) and on the project's page (all of them, with their
// owners). One action state for the whole table, so the latest outcome is the one shown: a refusal under the row it
// concerns (a delete refused names the owner), a success as a toast, which outlives the row it removed.
import Link from 'next/link';
import { Fragment, useActionState, type ReactNode } from 'react';
import { useFormStatus } from 'react-dom';

import {
  attachVolumeAction,
  deleteVolumeAction,
  detachVolumeAction,
} from '@/app/(panel)/projects/[projectId]/volumes/actions';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field-error';
import { FormMessage } from '@/components/ui/form-message';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { DataTable } from '@/components/ui/table';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState, type ActionState } from '@/lib/actions/state';
import { VOLUME_TYPE_LABELS, type VolumeType } from '@/lib/validation/rules';
import type { VolumeView } from '@/lib/volumes/queries';

import { remountKey, TargetOptions, type Targets } from './volume-forms';

type Intent = 'attach' | 'detach' | 'delete';

// The row's buttons share one form; the submitter's intent picks the server action.
async function rowAction(prev: ActionState, form: FormData): Promise<ActionState> {
  const intent = form.get('intent') as Intent | null;
  if (intent === 'attach') return attachVolumeAction(prev, form);
  if (intent === 'delete') return deleteVolumeAction(prev, form);
  return detachVolumeAction(prev, form);
}

function RowButton({
  intent,
  label,
  pendingLabel,
  danger = false,
  confirm,
}: {
  intent: Intent;
  label: string;
  pendingLabel: string;
  danger?: boolean;
  confirm?: string;
}) {
  const { pending, data } = useFormStatus();
  const mine = pending && data?.get('intent') === intent;
  return (
    <Button
      type="submit"
      name="intent"
      value={intent}
      disabled={pending}
      onClick={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
      className={
        danger
          ? 'border-red-300 text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950'
          : ''
      }
    >
      {mine ? pendingLabel : label}
    </Button>
  );
}

const typeLabel = (type: string) => VOLUME_TYPE_LABELS[type as VolumeType] ?? type;

export function VolumeTable({
  projectId,
  volumes,
  canWrite,
  showOwner,
  targets,
  empty,
}: {
  projectId: string;
  volumes: VolumeView[];
  canWrite: boolean;
  /** The project's page: an "Attached to" column, and an attach form on detached rows. */
  showOwner: boolean;
  targets?: Targets;
  /** Shown instead of the table when there are no volumes (the table stays mounted, so its toast does too). */
  empty: ReactNode;
}) {
  const [state, action] = useActionState(rowAction, initialActionState);
  const concerned = state.ok ? undefined : state.values?.volumeId;
  const rowFound = volumes.some((volume) => volume.id === concerned);
  const headings = [
    'Name',
    'Type',
    'Size',
    'Mount path',
    ...(showOwner ? ['Attached to'] : []),
    ...(canWrite ? [{ label: 'Actions', hidden: true }] : []),
  ];
  return (
    <div className="space-y-3">
      <ActionToast state={state} />
      {!state.ok && !rowFound && <FormMessage ok={false} message={state.message} />}
      {volumes.length === 0 ? (
        empty
      ) : (
        <DataTable headings={headings}>
          {volumes.map((volume) => {
            const errors = concerned === volume.id ? (state.fieldErrors ?? {}) : {};
            return (
              <Fragment key={volume.id}>
                <tr>
                  <th scope="row" className="px-4 py-3 font-mono text-xs font-medium">
                    {volume.name}
                  </th>
                  <td className="px-4 py-3 text-muted">{typeLabel(volume.type)}</td>
                  <td className="px-4 py-3 whitespace-nowrap tabular-nums">{volume.sizeGb} GB</td>
                  <td className="px-4 py-3 font-mono text-xs">{volume.mountPath}</td>
                  {showOwner && (
                    <td className="px-4 py-3">
                      {volume.owner ? (
                        <span className="inline-flex items-center gap-2">
                          <span className="text-muted">{volume.owner.kind}</span>
                          {volume.owner.kind === 'application' ? (
                            <Link
                              href={`/projects/${projectId}/apps/${volume.owner.id}/volumes`}
                              className="font-medium hover:underline"
                            >
                              {volume.owner.name}
                            </Link>
                          ) : (
                            <span className="font-medium">{volume.owner.name}</span>
                          )}
                          {volume.owner.archived && <Badge tone="muted">archived</Badge>}
                        </span>
                      ) : (
                        <Badge tone="amber">detached</Badge>
                      )}
                    </td>
                  )}
                  {canWrite && (
                    <td className="px-4 py-3">
                      <form
                        action={action}
                        noValidate
                        className="flex flex-wrap items-start justify-end gap-2"
                        aria-label={`Volume ${volume.name}`}
                      >
                        <input type="hidden" name="projectId" value={projectId} />
                        <input type="hidden" name="volumeId" value={volume.id} />
                        {volume.owner ? (
                          <RowButton intent="detach" label="Detach" pendingLabel="Detaching…" />
                        ) : (
                          showOwner &&
                          targets && (
                            <AttachFields
                              key={remountKey(concerned === volume.id ? state.values : undefined)}
                              targets={targets}
                              errors={errors}
                              values={concerned === volume.id ? state.values : undefined}
                            />
                          )
                        )}
                        <RowButton
                          intent="delete"
                          label="Delete"
                          pendingLabel="Deleting…"
                          danger
                          confirm={
                            volume.owner ? undefined : `Delete volume ${volume.name}? Its data cannot be recovered.`
                          }
                        />
                      </form>
                    </td>
                  )}
                </tr>
                {concerned === volume.id && state.message && (
                  <tr>
                    <td colSpan={headings.length} className="px-4 pb-3">
                      <FormMessage ok={false} message={state.message} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </DataTable>
      )}
    </div>
  );
}

function AttachFields({
  targets,
  errors,
  values,
}: {
  targets: Targets;
  errors: Record<string, string[] | undefined>;
  values?: Record<string, string>;
}) {
  if (targets.applications.length + targets.databases.length === 0) return null;
  return (
    <>
      <span className="inline-block w-44 space-y-1">
        <Select
          name="owner"
          aria-label="Attach to"
          defaultValue={values?.owner ?? ''}
          className="w-full"
          aria-invalid={errors.owner?.length ? true : undefined}
        >
          <option value="">Attach to…</option>
          <TargetOptions targets={targets} />
        </Select>
        <FieldError id="owner-error" errors={errors.owner} />
      </span>
      <span className="inline-block w-44 space-y-1">
        <Input
          name="mountPath"
          aria-label="Mount path"
          placeholder="Keep its path"
          defaultValue={values?.mountPath}
          spellCheck={false}
          aria-invalid={errors.mountPath?.length ? true : undefined}
        />
        <FieldError id="mountPath-error" errors={errors.mountPath} />
      </span>
      <RowButton intent="attach" label="Attach" pendingLabel="Attaching…" />
    </>
  );
}
