// The Settings form's side of docker_config. Its field names are the stored paths ("ports.0.target",
// "resources.limits.memory"), so a zod issue's path joined with "." names the field to show it beside. Blank means
// "not set".
import type { z } from 'zod';

import type { DockerConfig, DockerConfigInput } from './docker-config';
import { trimSpaces } from './units';

const blank = (value: string | undefined) =>
  value === undefined || trimSpaces(value) === '' ? undefined : trimSpaces(value);
// Digits become numbers; anything else stays a string so the schema says what is wrong with it.
const numeric = (value: string | undefined) => {
  const given = blank(value);
  return given !== undefined && /^\d{1,6}$/.test(given) ? Number(given) : given;
};
/** One argument per line; blank lines are dropped (an argv never needs an empty argument typed by hand). */
const lines = (value: string | undefined) => (value ?? '').split(/\r?\n/).filter((line) => line.trim() !== '');
const PORT_FIELD = /^ports\.(\d{1,2})\.(target|published|protocol|mode)$/;

/** The Settings form's fields (strings as posted) as the input of dockerConfigSchema. */
export function dockerConfigFromForm(values: Record<string, string>): DockerConfigInput {
  const rows: Record<string, string | undefined>[] = [];
  for (const [key, value] of Object.entries(values)) {
    const match = PORT_FIELD.exec(key);
    if (match) (rows[Number(match[1])] ??= {})[match[2]!] = value;
  }
  const ports = Array.from(rows, (row = {}) => ({
    target: numeric(row.target),
    published: numeric(row.published),
    protocol: blank(row.protocol) ?? 'tcp',
    mode: blank(row.mode) ?? 'ingress',
  }));
  const kind = blank(values['healthcheck.kind']);
  const command = values['healthcheck.test'] ?? '';
  // CMD takes one argument per line; CMD-SHELL is the whole text, so a line break in it is refused, not split.
  const args = kind === 'CMD' ? lines(command) : kind === 'CMD-SHELL' ? [command.trim()] : [];
  const healthcheck = kind
    ? {
        test: [kind, ...args],
        ...(kind === 'NONE'
          ? {}
          : {
              interval: blank(values['healthcheck.interval']),
              timeout: blank(values['healthcheck.timeout']),
              start_period: blank(values['healthcheck.start_period']),
              retries: numeric(values['healthcheck.retries']),
            }),
      }
    : undefined;
  const set = (which: 'limits' | 'reservations') => ({
    memory: blank(values[`resources.${which}.memory`]),
    cpus: blank(values[`resources.${which}.cpus`]),
  });
  const networks = (values.networks ?? '').split(/[\s,]+/).filter(Boolean);
  return {
    ports,
    entrypoint: lines(values.entrypoint),
    command: lines(values.command),
    healthcheck,
    resources: { limits: set('limits'), reservations: set('reservations') },
    networks,
  } as DockerConfigInput;
}

/** A stored config as the Settings form's initial values (the inverse of dockerConfigFromForm). */
export function dockerConfigToForm(config: DockerConfig): Record<string, string> {
  const values: Record<string, string> = {};
  (config.ports ?? []).forEach((port, index) => {
    values[`ports.${index}.target`] = String(port.target);
    values[`ports.${index}.published`] = port.published === undefined ? '' : String(port.published);
    values[`ports.${index}.protocol`] = port.protocol;
    values[`ports.${index}.mode`] = port.mode;
  });
  values.entrypoint = (config.entrypoint ?? []).join('\n');
  values.command = (config.command ?? []).join('\n');
  const check = config.healthcheck;
  const [kind = '', ...args] = check?.test ?? [];
  values['healthcheck.kind'] = kind;
  values['healthcheck.test'] = args.join('\n');
  values['healthcheck.interval'] = check?.interval ?? '';
  values['healthcheck.timeout'] = check?.timeout ?? '';
  values['healthcheck.start_period'] = check?.start_period ?? '';
  values['healthcheck.retries'] = check?.retries === undefined ? '' : String(check.retries);
  for (const which of ['limits', 'reservations'] as const) {
    values[`resources.${which}.memory`] = config.resources?.[which]?.memory ?? '';
    values[`resources.${which}.cpus`] = config.resources?.[which]?.cpus ?? '';
  }
  values.networks = (config.networks ?? []).join(', ');
  return values;
}

/** Field errors keyed by the issue's path ("ports.1.published"), for forms whose field names are those paths. */
export function fieldErrorsByPath(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : 'form';
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}
