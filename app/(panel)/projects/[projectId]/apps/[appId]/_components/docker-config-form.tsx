'use client';

// docker_config as fields. Field names are the stored paths ("ports.0.target"), so each error lands beside its field.
// The form is remounted after every answer: its fields then start from what was typed (a refusal) or from the saved,
// normalized values (a success), and the ports list from the same.
import { useActionState, useState, type ReactNode } from 'react';

import { Button } from '@/components/ui/button';
import { Field, TextareaField } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SelectField } from '@/components/ui/select';
import { SubmitButton } from '@/components/ui/submit-button';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState, type ActionState } from '@/lib/actions/state';

import { updateDockerConfigAction } from '../actions';

type Values = Record<string, string | undefined>;
type Errors = Record<string, string[] | undefined>;
type Row = { key: number; target: string; published: string; protocol: string; mode: string };
type Versioned = ActionState & { version: number };

function rowsFrom(values: Values): Row[] {
  const indexes = new Set<number>();
  for (const key of Object.keys(values)) {
    const match = /^ports\.(\d+)\./.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((i) => ({
      key: i,
      target: values[`ports.${i}.target`] ?? '',
      published: values[`ports.${i}.published`] ?? '',
      protocol: values[`ports.${i}.protocol`] || 'tcp',
      mode: values[`ports.${i}.mode`] || 'ingress',
    }));
}

/** One titled group of the form, with a note under its fields. */
function Group({ legend, note, children }: { legend: string; note?: ReactNode; children: ReactNode }) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-base font-semibold">{legend}</legend>
      {children}
      {note && <p className="text-xs text-muted">{note}</p>}
    </fieldset>
  );
}

/** Errors of a field and of its items (networks.2 is shown under networks). */
const under = (errors: Errors, name: string) =>
  Object.entries(errors).flatMap(([key, list]) => (key === name || key.startsWith(`${name}.`) ? (list ?? []) : []));

function PortsEditor({ initial, errors, readOnly }: { initial: Row[]; errors: Errors; readOnly: boolean }) {
  const [rows, setRows] = useState(initial);
  const [nextKey, setNextKey] = useState(initial.length ? Math.max(...initial.map((r) => r.key)) + 1 : 0);
  const add = () => {
    setRows([...rows, { key: nextKey, target: '', published: '', protocol: 'tcp', mode: 'ingress' }]);
    setNextKey(nextKey + 1);
  };
  return (
    <Group legend="Ports">
      {rows.length === 0 && (
        <p className="text-sm text-muted">No ports published: the service is reachable only inside its networks.</p>
      )}
      {rows.map((row, i) => (
        <div
          key={row.key}
          className="grid items-start gap-3 rounded-md border border-border p-3 sm:grid-cols-[1fr_1fr_auto_auto_auto]"
          data-testid="port-row"
        >
          <Field
            label="Container port"
            name={`ports.${i}.target`}
            defaultValue={row.target}
            errors={errors[`ports.${i}.target`]}
            inputMode="numeric"
            placeholder="8080"
          />
          <Field
            label="Published port"
            name={`ports.${i}.published`}
            defaultValue={row.published}
            errors={errors[`ports.${i}.published`]}
            inputMode="numeric"
            placeholder="(none)"
          />
          <SelectField
            label="Protocol"
            name={`ports.${i}.protocol`}
            defaultValue={row.protocol}
            errors={errors[`ports.${i}.protocol`]}
          >
            <option value="tcp">tcp</option>
            <option value="udp">udp</option>
            <option value="sctp">sctp</option>
          </SelectField>
          <SelectField label="Mode" name={`ports.${i}.mode`} defaultValue={row.mode} errors={errors[`ports.${i}.mode`]}>
            <option value="ingress">ingress</option>
            <option value="host">host</option>
          </SelectField>
          {!readOnly && (
            <Button
              variant="ghost"
              className="self-end"
              onClick={() => setRows(rows.filter((r) => r.key !== row.key))}
              aria-label={`Remove port ${i + 1}`}
            >
              Remove
            </Button>
          )}
        </div>
      ))}
      {!readOnly && <Button onClick={add}>Add port</Button>}
    </Group>
  );
}

function HealthcheckFields({ values, errors }: { values: Values; errors: Errors }) {
  const [kind, setKind] = useState(values['healthcheck.kind'] ?? '');
  return (
    <Group legend="Health check">
      <SelectField
        label="Check"
        name="healthcheck.kind"
        value={kind}
        onChange={(event) => setKind(event.target.value)}
        className="sm:w-auto"
      >
        <option value="">The image&apos;s own (or none)</option>
        <option value="CMD">Run a program (CMD)</option>
        <option value="CMD-SHELL">Run a shell command (CMD-SHELL)</option>
        <option value="NONE">Disabled (NONE)</option>
      </SelectField>
      {(kind === 'CMD' || kind === 'CMD-SHELL') && (
        <>
          <TextareaField
            label="Command"
            name="healthcheck.test"
            rows={kind === 'CMD' ? 4 : 2}
            defaultValue={values['healthcheck.test'] ?? ''}
            errors={under(errors, 'healthcheck.test')}
            spellCheck={false}
            className="font-mono text-xs"
            placeholder={
              kind === 'CMD'
                ? 'curl\n-f\nhttp://localhost:8080/health'
                : 'curl -f http://localhost:8080/health || exit 1'
            }
            hint={
              kind === 'CMD'
                ? 'One argument per line, the program first; no shell is involved.'
                : 'One line, run by /bin/sh inside the container.'
            }
          />
          <div className="grid gap-3 sm:grid-cols-4">
            <Field
              label="Interval"
              name="healthcheck.interval"
              defaultValue={values['healthcheck.interval'] ?? ''}
              errors={errors['healthcheck.interval']}
              placeholder="30s"
            />
            <Field
              label="Timeout"
              name="healthcheck.timeout"
              defaultValue={values['healthcheck.timeout'] ?? ''}
              errors={errors['healthcheck.timeout']}
              placeholder="30s"
            />
            <Field
              label="Start period"
              name="healthcheck.start_period"
              defaultValue={values['healthcheck.start_period'] ?? ''}
              errors={errors['healthcheck.start_period']}
              placeholder="0s"
            />
            <Field
              label="Retries"
              name="healthcheck.retries"
              defaultValue={values['healthcheck.retries'] ?? ''}
              errors={errors['healthcheck.retries']}
              inputMode="numeric"
              placeholder="3"
            />
          </div>
          <p className="text-xs text-muted">
            Durations like 30s, 1m30s or 500ms; blank fields use Docker&apos;s defaults.
          </p>
        </>
      )}
    </Group>
  );
}

/** The container's entrypoint and command, one argument per line: argv arrays that no shell reads. */
function CommandFields({ values, errors }: { values: Values; errors: Errors }) {
  const argv = (name: 'entrypoint' | 'command', label: string, placeholder: string, hint: string) => (
    <TextareaField
      label={label}
      name={name}
      rows={3}
      defaultValue={values[name] ?? ''}
      errors={under(errors, name)}
      spellCheck={false}
      autoCapitalize="none"
      className="font-mono text-xs"
      placeholder={placeholder}
      hint={hint}
    />
  );
  return (
    <Group
      legend="Command"
      note="One argument per line, passed to the program as they are: no shell is involved, so $VAR, quotes and ; are plain characters. Setting only an entrypoint also drops the image's CMD."
    >
      <div className="grid gap-3 sm:grid-cols-2">
        {argv(
          'entrypoint',
          'Entrypoint',
          '/app/server',
          "Replaces the image's ENTRYPOINT; the program first. Blank keeps the image's.",
        )}
        {argv(
          'command',
          'Command',
          '--port\n8080',
          "Replaces the image's CMD (the entrypoint's arguments). Blank keeps the image's.",
        )}
      </div>
    </Group>
  );
}

function ResourceFields({ values, errors }: { values: Values; errors: Errors }) {
  const field = (which: 'limits' | 'reservations', what: 'memory' | 'cpus', label: string, placeholder: string) => (
    <Field
      label={label}
      name={`resources.${which}.${what}`}
      defaultValue={values[`resources.${which}.${what}`] ?? ''}
      errors={under(errors, `resources.${which}.${what}`)}
      placeholder={placeholder}
    />
  );
  return (
    <Group
      legend="Resources"
      note="Memory like 512M, 1G or 256Mi (6M to 4T); CPUs like 0.5 or 2. A reservation cannot exceed its limit."
    >
      <div className="grid gap-3 sm:grid-cols-4">
        {field('limits', 'memory', 'Memory limit', '512M')}
        {field('limits', 'cpus', 'CPU limit', '0.5')}
        {field('reservations', 'memory', 'Memory reservation', '256M')}
        {field('reservations', 'cpus', 'CPU reservation', '0.25')}
      </div>
    </Group>
  );
}

/** `command`: whether the entrypoint and command apply (docker-image and git applications; a compose file has its own). */
export function DockerConfigForm({
  applicationId,
  current,
  readOnly,
  command,
}: {
  applicationId: string;
  current: Record<string, string>;
  readOnly: boolean;
  command: boolean;
}) {
  const [state, action] = useActionState(
    async (previous: Versioned, form: FormData): Promise<Versioned> => ({
      ...(await updateDockerConfigAction(previous, form)),
      version: previous.version + 1,
    }),
    { ...initialActionState, version: 0 },
  );
  const values: Values = state.values ?? current;
  const errors: Errors = state.fieldErrors ?? {};
  return (
    <form key={state.version} action={action} className="space-y-6" noValidate>
      <FormMessage ok={false} message={state.ok ? undefined : state.message} />
      <ActionToast state={state} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <fieldset disabled={readOnly} className="space-y-6">
        <PortsEditor initial={rowsFrom(values)} errors={errors} readOnly={readOnly} />
        {command && <CommandFields values={values} errors={errors} />}
        <HealthcheckFields values={values} errors={errors} />
        <ResourceFields values={values} errors={errors} />
        <Group legend="Networks">
          <Field
            label="Overlay networks"
            name="networks"
            defaultValue={values.networks ?? ''}
            errors={under(errors, 'networks')}
            placeholder="backend, shared-cache"
            hint="Names separated by commas or spaces: letters, digits, _ . and -, up to 10 networks."
            spellCheck={false}
          />
        </Group>
      </fieldset>
      {!readOnly && <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>}
    </form>
  );
}
