// applications.docker_config: how Swarm runs the service, edited as fields and stored as one normalized JSON object.
// Everything here becomes part of a Docker service spec later (through the Engine API, as data), so each value is
// checked against what Docker accepts and normalized (durations "90s" → "1m30s", memory "1.5G" → "1536M" plus bytes),
// so what is stored parses again to itself.
//
// The stored shape (every key optional; an absent key means "Docker's default"):
// {
//   "ports":       [{ "target": 8080, "published": 80, "protocol": "tcp", "mode": "ingress" }],   published optional
//   "healthcheck": { "test": ["CMD", "curl", "-f", "http://localhost/"] | ["CMD-SHELL", "curl -f …"] | ["NONE"],
//                    "interval": "30s", "timeout": "5s", "start_period": "10s", "retries": 3 },
//   "resources":   { "limits":       { "memory": "512M", "memory_bytes": 536870912, "cpus": "0.5" },
//                    "reservations": { "memory": "256M", "memory_bytes": 268435456, "cpus": "0.25" } },
//   "networks":    ["backend", "shared-cache"]
// }
// Replicas are not here: they live in applications.replicas.
import { z } from 'zod';

export const MAX_PORTS = 50;
export const MAX_NETWORKS = 10;
export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export const PORT_MODES = ['ingress', 'host'] as const;
export const HEALTHCHECK_KINDS = ['CMD', 'CMD-SHELL', 'NONE'] as const;

// Invisible and control characters never belong in a value that reaches Docker.
const CONTROL_OR_INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
// Spaces around a value are forgiven; a line break or tab anywhere is not (it is no typing slip).
const trimSpaces = (value: string) => value.replace(/^ +| +$/g, '');

// ---------------------------------------------------------------------------------------------------------------
// Ports

const portNumber = (what: string) =>
  z.number(`Give the ${what} port as a number.`).int(`The ${what} port is a whole number.`).min(1, `The ${what} port is between 1 and 65535.`).max(65535, `The ${what} port is between 1 and 65535.`);

export const portSchema = z.strictObject({
  target: portNumber('container'),
  published: portNumber('published').optional(),
  protocol: z.enum(PORT_PROTOCOLS, 'The protocol is tcp, udp or sctp.').default('tcp'),
  mode: z.enum(PORT_MODES, 'The mode is ingress (routing mesh) or host.').default('ingress'),
});
export type Port = z.output<typeof portSchema>;

/** Indexes of ports whose published port + protocol an earlier row already uses (Docker would refuse the spec). */
export function duplicatePublishedPorts(ports: readonly { published?: number; protocol: string }[]): number[] {
  const seen = new Set<string>();
  const duplicates: number[] = [];
  ports.forEach((port, index) => {
    if (port.published === undefined) return;
    const key = `${port.published}/${port.protocol}`;
    if (seen.has(key)) duplicates.push(index);
    seen.add(key);
  });
  return duplicates;
}

// ---------------------------------------------------------------------------------------------------------------
// Durations: Go's notation as Docker reads it, limited to h, m, s and ms in that order ("1m30s", "500ms").

const DURATION = /^(?:(\d{1,4})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?(?:(\d{1,6})ms)?$/;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Milliseconds of a duration like "1m30s", or null when it is not one. */
export function parseDuration(value: string): number | null {
  const match = value === '' ? null : DURATION.exec(value);
  if (!match) return null;
  const [h, m, s, ms] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return h * HOUR + m * MINUTE + s * SECOND + ms;
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: [number, string][] = [
    [Math.floor(ms / HOUR), 'h'],
    [Math.floor((ms % HOUR) / MINUTE), 'm'],
    [Math.floor((ms % MINUTE) / SECOND), 's'],
    [ms % SECOND, 'ms'],
  ];
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join('');
}

const DURATION_HINT = 'Use a duration like 30s, 1m30s or 500ms.';

function durationSchema(what: string, min: number, max: number) {
  const bounds = `The ${what} is between ${formatDuration(min)} and ${formatDuration(max)}.`;
  return z.string(DURATION_HINT).transform((value, ctx) => {
    const ms = parseDuration(trimSpaces(value));
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `The ${what} “${value.slice(0, 20)}” is not a duration. ${DURATION_HINT}` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: bounds });
      return z.NEVER;
    }
    return formatDuration(ms);
  });
}

export const healthcheckIntervalSchema = durationSchema('interval', SECOND, HOUR);
export const healthcheckTimeoutSchema = durationSchema('timeout', 100, HOUR);
export const healthcheckStartPeriodSchema = durationSchema('start period', 0, HOUR);
export const healthcheckRetriesSchema = z
  .number('Give the retries as a number.')
  .int('Retries is a whole number.')
  .min(0, 'Retries is between 0 and 100.')
  .max(100, 'Retries is between 0 and 100.');

// ---------------------------------------------------------------------------------------------------------------
// Health check command: argv for CMD (run without a shell), one string for CMD-SHELL (run by /bin/sh in the
// container, so shell syntax there is the point; it never runs on the host).

const ARG_MAX = 1024;
const COMMAND_MAX = 4096;
const commandArgSchema = z
  .string()
  .min(1, 'A command argument cannot be empty.')
  .max(ARG_MAX, `A command argument has at most ${ARG_MAX} characters.`)
  .refine((arg) => !CONTROL_OR_INVISIBLE.test(arg), 'The command cannot contain line breaks, control or invisible characters.');

export const healthcheckTestSchema = z
  .array(z.string(), 'Give the health check command.')
  .superRefine((test, ctx) => {
    const [kind, ...args] = test;
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (kind === 'NONE') return void (args.length > 0 && fail('A disabled health check (NONE) takes no command.'));
    if (kind !== 'CMD' && kind !== 'CMD-SHELL') return fail('The health check is CMD (a program and its arguments), CMD-SHELL (a shell command) or NONE.');
    if (args.length === 0) return fail('Give the health check command.');
    if (kind === 'CMD-SHELL' && args.length !== 1) return fail('A CMD-SHELL health check is one shell command.');
    if (args.length > 64) return fail('A health check command has at most 64 arguments.');
    if (args.join(' ').length > COMMAND_MAX) return fail(`A health check command has at most ${COMMAND_MAX} characters.`);
    for (const arg of args) {
      const parsed = commandArgSchema.safeParse(arg);
      if (!parsed.success) return fail(parsed.error.issues[0]!.message);
    }
    if (kind === 'CMD' && args[0]!.startsWith('-')) fail('The program to run cannot start with “-”.');
  });

export const healthcheckSchema = z.strictObject({
  test: healthcheckTestSchema,
  interval: healthcheckIntervalSchema.optional(),
  timeout: healthcheckTimeoutSchema.optional(),
  start_period: healthcheckStartPeriodSchema.optional(),
  retries: healthcheckRetriesSchema.optional(),
});
export type Healthcheck = z.output<typeof healthcheckSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Resources. Memory units are binary whatever their spelling (Docker reads 1G as 1024³ bytes; 1Gi and 1GB alike).

const MEMORY = /^(\d{1,13}(?:\.\d{1,3})?) ?([kmgt]i?b?|b)?$/i;
const UNITS = ['b', 'k', 'm', 'g', 't'] as const;
const MEMORY_MIN = 6 * 1024 ** 2; // Docker refuses a memory limit under 6 MiB
const MEMORY_MAX = 4 * 1024 ** 4;
export const MEMORY_RULE = 'Use a size like 512M, 1G or 256Mi (from 6M to 4T).';

/** Bytes of a memory size like "512M", or null when it is not one. */
export function parseMemory(value: string): number | null {
  const match = MEMORY.exec(trimSpaces(value));
  if (!match) return null;
  const unit = (match[2] ?? 'b')[0]!.toLowerCase() as (typeof UNITS)[number];
  return Math.round(Number(match[1]) * 1024 ** UNITS.indexOf(unit));
}

/** The largest unit that divides the size exactly: 1610612736 → "1536M". */
export function formatMemory(bytes: number): string {
  for (let power = 4; power > 0; power -= 1) {
    if (bytes % 1024 ** power === 0) return `${bytes / 1024 ** power}${UNITS[power]!.toUpperCase()}`;
  }
  return `${bytes}B`;
}

export const memorySchema = z.string(MEMORY_RULE).transform((value, ctx) => {
  const bytes = parseMemory(value);
  if (bytes === null || bytes < MEMORY_MIN || bytes > MEMORY_MAX) {
    ctx.addIssue({ code: 'custom', message: `“${value.slice(0, 20)}” is not a memory size we accept. ${MEMORY_RULE}` });
    return z.NEVER;
  }
  return { memory: formatMemory(bytes), memory_bytes: bytes };
});

const CPUS = /^\d{1,3}(?:\.\d{1,3})?$/;
export const CPUS_RULE = 'Use a number of CPUs like 0.5 or 2 (from 0.01 to 512, up to 3 decimals).';
export const cpusSchema = z.string(CPUS_RULE).transform((value, ctx) => {
  const cpus = CPUS.test(trimSpaces(value)) ? Number(trimSpaces(value)) : NaN;
  if (!(cpus >= 0.01 && cpus <= 512)) {
    ctx.addIssue({ code: 'custom', message: `“${value.slice(0, 20)}” is not a CPU amount we accept. ${CPUS_RULE}` });
    return z.NEVER;
  }
  return String(cpus);
});

// memory_bytes is derived from memory: whatever was stored, it is recomputed here.
const resourceSetSchema = z
  .strictObject({ memory: memorySchema.optional(), memory_bytes: z.number().optional(), cpus: cpusSchema.optional() })
  .transform(({ memory, cpus }) => ({ ...(memory ?? {}), ...(cpus !== undefined ? { cpus } : {}) }));
export type ResourceSet = z.output<typeof resourceSetSchema>;

/** Problems with reservations above limits, as [which, message]. */
export function reservationProblems(limits?: ResourceSet, reservations?: ResourceSet): ['memory' | 'cpus', string][] {
  const problems: ['memory' | 'cpus', string][] = [];
  if (limits?.memory_bytes !== undefined && reservations?.memory_bytes !== undefined && reservations.memory_bytes > limits.memory_bytes) {
    problems.push(['memory', `The memory reservation (${reservations.memory}) is above the limit (${limits.memory}).`]);
  }
  if (limits?.cpus !== undefined && reservations?.cpus !== undefined && Number(reservations.cpus) > Number(limits.cpus)) {
    problems.push(['cpus', `The CPU reservation (${reservations.cpus}) is above the limit (${limits.cpus}).`]);
  }
  return problems;
}

export const resourcesSchema = z
  .strictObject({ limits: resourceSetSchema.optional(), reservations: resourceSetSchema.optional() })
  .superRefine(({ limits, reservations }, ctx) => {
    for (const [which, message] of reservationProblems(limits, reservations)) {
      ctx.addIssue({ code: 'custom', message, path: ['reservations', which] });
    }
  });

// ---------------------------------------------------------------------------------------------------------------
// Networks: names of overlay networks the service joins (created by the engine later, labelled as ours).

export const NETWORK_RULE = 'Network names use letters, digits, _ . and -, start with a letter or digit, at most 64 characters.';
const RESERVED_NETWORKS = new Set(['host', 'none', 'bridge', 'ingress', 'docker_gwbridge']);
export const networkNameSchema = z
  .string(NETWORK_RULE)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, NETWORK_RULE)
  .refine((name) => !RESERVED_NETWORKS.has(name.toLowerCase()), 'host, none, bridge, ingress and docker_gwbridge are Docker’s own networks.');

export const networksSchema = z
  .array(networkNameSchema)
  .max(MAX_NETWORKS, `An application joins at most ${MAX_NETWORKS} networks.`)
  .transform((names) => [...new Set(names)]);

// ---------------------------------------------------------------------------------------------------------------

export const dockerConfigSchema = z
  .strictObject({
    ports: z.array(portSchema).max(MAX_PORTS, `At most ${MAX_PORTS} ports.`).optional(),
    healthcheck: healthcheckSchema.optional(),
    resources: resourcesSchema.optional(),
    networks: networksSchema.optional(),
  })
  .superRefine(({ ports }, ctx) => {
    for (const index of duplicatePublishedPorts(ports ?? [])) {
      const port = ports![index]!;
      ctx.addIssue({ code: 'custom', message: `Port ${port.published}/${port.protocol} is published twice.`, path: ['ports', index, 'published'] });
    }
  })
  // Empty lists and sets are dropped, so "nothing configured" is always stored as {}.
  .transform((config): DockerConfig => {
    const out: DockerConfig = {};
    if (config.ports?.length) out.ports = config.ports;
    if (config.healthcheck) out.healthcheck = config.healthcheck;
    const limits = config.resources?.limits && Object.keys(config.resources.limits).length ? config.resources.limits : undefined;
    const reservations =
      config.resources?.reservations && Object.keys(config.resources.reservations).length ? config.resources.reservations : undefined;
    if (limits || reservations) out.resources = { ...(limits ? { limits } : {}), ...(reservations ? { reservations } : {}) };
    if (config.networks?.length) out.networks = config.networks;
    // Through JSON once: optional keys given as undefined disappear, as they would in the jsonb column.
    return JSON.parse(JSON.stringify(out)) as DockerConfig;
  });

export type DockerConfig = {
  ports?: Port[];
  healthcheck?: Healthcheck;
  resources?: { limits?: ResourceSet; reservations?: ResourceSet };
  networks?: string[];
};
export type DockerConfigInput = z.input<typeof dockerConfigSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The Settings form. Its field names are the stored paths ("ports.0.target", "resources.limits.memory"), so a zod
// issue's path joined with "." names the field to show it beside. Blank means "not set".

const blank = (value: string | undefined) => (value === undefined || trimSpaces(value) === '' ? undefined : trimSpaces(value));
// Digits become numbers; anything else stays a string so the schema says what is wrong with it.
const numeric = (value: string | undefined) => {
  const given = blank(value);
  return given !== undefined && /^\d{1,6}$/.test(given) ? Number(given) : given;
};
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
  const args = kind === 'CMD' ? command.split(/\r?\n/).filter((line) => line.trim() !== '') : kind === 'CMD-SHELL' ? [command.trim()] : [];
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
  return { ports, healthcheck, resources: { limits: set('limits'), reservations: set('reservations') }, networks } as DockerConfigInput;
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
