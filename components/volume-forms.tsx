'use client';

// Creating a volume (attached to a fixed owner on an application's tab, or to a chosen one / none on the project's
// page) and attaching an existing detached one. Errors beside their fields, typed values kept, a toast on success.
import { useActionState } from 'react';

import { attachVolumeAction, createVolumeAction } from '@/app/(panel)/projects/[projectId]/volumes/actions';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SelectField } from '@/components/ui/select';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';
import {
  MOUNT_PATH_MAX,
  VOLUME_NAME_RULE,
  VOLUME_SIZE_MAX,
  VOLUME_SIZE_MIN,
  VOLUME_TYPE_LABELS,
  VOLUME_TYPES,
} from '@/lib/validation/rules';

export type Targets = { applications: { id: string; name: string }[]; databases: { id: string; name: string }[] };

/**
 * React sets a <select>'s default only when it mounts, and resets the form to it after every action: keying the
 * fields by what was submitted remounts them with the typed values, so a refusal keeps the person's choice.
 */
export const remountKey = (values?: Record<string, string>) => JSON.stringify(values ?? {});

export const MOUNT_PATH_HINT =
  'Absolute path inside the container, e.g. /data. Allowed: letters, digits, . _ - @ + = and single slashes. System paths (/etc, /proc, /var/run/docker.sock…) are refused.';

/** The options of an "attach to" select: the project's applications and databases. */
export function TargetOptions({ targets }: { targets: Targets }) {
  return (
    <>
      {(
        [
          ['Applications', 'application', targets.applications],
          ['Databases', 'database', targets.databases],
        ] as const
      ).map(([label, kind, owners]) =>
        owners.length > 0 ? (
          <optgroup key={kind} label={label}>
            {owners.map((owner) => (
              <option key={owner.id} value={`${kind}:${owner.id}`}>
                {owner.name}
              </option>
            ))}
          </optgroup>
        ) : null,
      )}
    </>
  );
}

/** `owner` fixed ("application:<id>") on an application's tab; otherwise `targets` offers a choice, or none. */
export function CreateVolumeForm({
  projectId,
  owner,
  targets,
}: {
  projectId: string;
  owner?: string;
  targets?: Targets;
}) {
  const [state, action] = useActionState(createVolumeAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  const values = state.values;
  return (
    <form key={remountKey(values)} action={action} className="space-y-4" noValidate aria-label="Create a volume">
      <FormMessage ok={state.ok} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="projectId" value={projectId} />
      {owner && <input type="hidden" name="owner" value={owner} />}
      <div className="grid gap-4 md:grid-cols-2">
        <Field
          label="Name"
          name="name"
          defaultValue={values?.name}
          errors={errors.name}
          maxLength={255}
          autoComplete="off"
          hint={`Unique on the server. ${VOLUME_NAME_RULE}`}
          required
        />
        <Field
          label="Mount path"
          name="mountPath"
          defaultValue={values?.mountPath}
          errors={errors.mountPath}
          maxLength={MOUNT_PATH_MAX}
          placeholder="/data"
          autoComplete="off"
          spellCheck={false}
          hint={MOUNT_PATH_HINT}
          required
        />
        <SelectField
          label="Type"
          name="type"
          defaultValue={values?.type ?? 'docker_volume'}
          errors={errors.type}
          hint="Slipway mounts Docker volumes; NFS and S3 volumes are not supported yet."
        >
          {VOLUME_TYPES.map((type) => (
            <option key={type} value={type} disabled={type !== 'docker_volume'}>
              {VOLUME_TYPE_LABELS[type]}
            </option>
          ))}
        </SelectField>
        <Field
          label="Size (GB)"
          name="sizeGb"
          type="number"
          inputMode="numeric"
          min={VOLUME_SIZE_MIN}
          max={VOLUME_SIZE_MAX}
          step={1}
          defaultValue={values?.sizeGb ?? '10'}
          errors={errors.sizeGb}
          hint={`A whole number from ${VOLUME_SIZE_MIN} to ${VOLUME_SIZE_MAX}.`}
          required
        />
        {!owner && targets && (
          <SelectField label="Attach to" name="owner" defaultValue={values?.owner ?? ''} errors={errors.owner}>
            <option value="">Nothing for now (detached)</option>
            <TargetOptions targets={targets} />
          </SelectField>
        )}
      </div>
      <SubmitButton pendingLabel="Creating…">{owner ? 'Create and attach' : 'Create volume'}</SubmitButton>
    </form>
  );
}

/** An application's tab: mount one of the project's detached volumes. */
export function AttachVolumeForm({
  projectId,
  owner,
  volumes,
}: {
  projectId: string;
  owner: string;
  volumes: { id: string; name: string; mountPath: string; sizeGb: number }[];
}) {
  const [state, action] = useActionState(attachVolumeAction, initialActionState);
  const errors = state.fieldErrors ?? {};
  return (
    <form
      key={remountKey(state.values)}
      action={action}
      className="space-y-4"
      noValidate
      aria-label="Attach an existing volume"
    >
      <FormMessage ok={state.ok} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="owner" value={owner} />
      <div className="grid gap-4 md:grid-cols-2">
        <SelectField
          label="Volume"
          name="volumeId"
          defaultValue={state.values?.volumeId ?? volumes[0]?.id}
          errors={errors.volumeId}
        >
          {volumes.map((volume) => (
            <option key={volume.id} value={volume.id}>
              {`${volume.name} (${volume.sizeGb} GB, was at ${volume.mountPath})`}
            </option>
          ))}
        </SelectField>
        <Field
          label="Mount path"
          name="mountPath"
          defaultValue={state.values?.mountPath}
          errors={errors.mountPath}
          maxLength={MOUNT_PATH_MAX}
          placeholder="Keep the volume's path"
          autoComplete="off"
          spellCheck={false}
          hint="Leave blank to mount it at the path it had."
        />
      </div>
      <SubmitButton pendingLabel="Attaching…" variant="secondary">
        Attach volume
      </SubmitButton>
    </form>
  );
}
