// applications.docker_config: how Swarm runs the service, edited as fields and stored as one normalized JSON object.
// Everything here becomes part of a Docker service spec later (through the Engine API, as data), so each value is
// checked against what Docker accepts and normalized (durations "90s" → "1m30s", memory "1.5G" → "1536M" plus bytes),
// so what is stored parses again to itself.
//
// The stored shape (every key optional; an absent key means "Docker's default"):
// {
//   "ports":       [{ "target": 8080, "published": 80, "protocol": "tcp", "mode": "ingress" }],   published optional
//   "entrypoint":  ["/app/server"],                 argv, replaces the image's ENTRYPOINT
//   "command":     ["--port", "8080"],              argv, replaces the image's CMD
//   "healthcheck": { "test": ["CMD", "curl", "-f", "http://localhost/"] | ["CMD-SHELL", "curl -f …"] | ["NONE"],
//                    "interval": "30s", "timeout": "5s", "start_period": "10s", "retries": 3 },
//   "resources":   { "limits":       { "memory": "512M", "memory_bytes": 536870912, "cpus": "0.5" },
//                    "reservations": { "memory": "256M", "memory_bytes": 268435456, "cpus": "0.25" } },
//   "networks":    ["backend", "shared-cache"]
// }
// Replicas are not here: they live in applications.replicas.
import { z } from 'zod';

import { cpusSchema, durationSchema, HOUR, memorySchema, SECOND } from './units';

export const MAX_PORTS = 50;
export const MAX_NETWORKS = 10;
export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export const PORT_MODES = ['ingress', 'host'] as const;
export const HEALTHCHECK_KINDS = ['CMD', 'CMD-SHELL', 'NONE'] as const;

// Invisible and control characters never belong in a value that reaches Docker.
const CONTROL_OR_INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

// ---------------------------------------------------------------------------------------------------------------
// Ports

const portNumber = (what: string) =>
  z
    .number(`Give the ${what} port as a number.`)
    .int(`The ${what} port is a whole number.`)
    .min(1, `The ${what} port is between 1 and 65535.`)
    .max(65535, `The ${what} port is between 1 and 65535.`);

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

export const healthcheckIntervalSchema = durationSchema('interval', SECOND, HOUR);
export const healthcheckTimeoutSchema = durationSchema('timeout', 100, HOUR);
export const healthcheckStartPeriodSchema = durationSchema('start period', 0, HOUR);
export const healthcheckRetriesSchema = z
  .number('Give the retries as a number.')
  .int('Retries is a whole number.')
  .min(0, 'Retries is between 0 and 100.')
  .max(100, 'Retries is between 0 and 100.');

// ---------------------------------------------------------------------------------------------------------------
// Argument lists (argv): handed to Docker as an array, one element per argument, so no shell ever splits or expands
// them ("$(id)" stays those five characters). One argument per line in the form; the same rules for the health
// check's CMD, the entrypoint and the command.

const ARG_MAX = 1024;
const COMMAND_MAX = 4096;
export const ARGV_MAX = 64;
const commandArgSchema = z
  .string()
  .min(1, 'A command argument cannot be empty.')
  .max(ARG_MAX, `A command argument has at most ${ARG_MAX} characters.`)
  .refine(
    (arg) => !CONTROL_OR_INVISIBLE.test(arg),
    'An argument cannot contain line breaks, control or invisible characters.',
  );

/** The first problem with an argv, or null. `programFirst`: the first argument is the program to run. */
function argvProblem(args: readonly string[], name: string, programFirst: boolean): string | null {
  if (args.length > ARGV_MAX) return `${name} has at most ${ARGV_MAX} arguments.`;
  if (args.join(' ').length > COMMAND_MAX) return `${name} has at most ${COMMAND_MAX} characters.`;
  for (const arg of args) {
    const parsed = commandArgSchema.safeParse(arg);
    if (!parsed.success) return parsed.error.issues[0]!.message;
  }
  if (programFirst && args[0]?.startsWith('-')) return 'The program to run cannot start with “-”.';
  return null;
}

// The entrypoint replaces the image's ENTRYPOINT (its first argument is the program); the command replaces its CMD
// (the arguments the entrypoint gets, or the program itself when the image has no entrypoint, so it may start
// with "-"). The count is checked before any element is read, so a huge list costs nothing.
function argvSchema(name: string, programFirst: boolean) {
  return z
    .array(z.unknown(), `Give ${name.toLowerCase()} as a list of arguments.`)
    .max(ARGV_MAX, `${name} has at most ${ARGV_MAX} arguments.`)
    .pipe(z.array(z.string(`Each argument of ${name.toLowerCase()} is text.`)))
    .superRefine((args, ctx) => {
      const problem = argvProblem(args, name, programFirst);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
export const entrypointSchema = argvSchema('The entrypoint', true);
export const commandSchema = argvSchema('The command', false);

// ---------------------------------------------------------------------------------------------------------------
// Health check: argv for CMD (run without a shell), one string for CMD-SHELL (run by /bin/sh in the container, so
// shell syntax there is the point; it never runs on the host).

export const healthcheckTestSchema = z.array(z.string(), 'Give the health check command.').superRefine((test, ctx) => {
  const [kind, ...args] = test;
  const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
  if (kind === 'NONE') return void (args.length > 0 && fail('A disabled health check (NONE) takes no command.'));
  if (kind !== 'CMD' && kind !== 'CMD-SHELL')
    return fail('The health check is CMD (a program and its arguments), CMD-SHELL (a shell command) or NONE.');
  if (args.length === 0) return fail('Give the health check command.');
  if (kind === 'CMD-SHELL' && args.length !== 1) return fail('A CMD-SHELL health check is one shell command.');
  const problem = argvProblem(args, 'A health check command', kind === 'CMD');
  if (problem) fail(problem);
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
// Resources (the units are in units.ts).

// memory_bytes is derived from memory: whatever was stored, it is recomputed here.
const resourceSetSchema = z
  .strictObject({ memory: memorySchema.optional(), memory_bytes: z.number().optional(), cpus: cpusSchema.optional() })
  .transform(({ memory, cpus }) => ({ ...(memory ?? {}), ...(cpus !== undefined ? { cpus } : {}) }));
export type ResourceSet = z.output<typeof resourceSetSchema>;

/** Problems with reservations above limits, as [which, message]. */
export function reservationProblems(limits?: ResourceSet, reservations?: ResourceSet): ['memory' | 'cpus', string][] {
  const problems: ['memory' | 'cpus', string][] = [];
  if (
    limits?.memory_bytes !== undefined &&
    reservations?.memory_bytes !== undefined &&
    reservations.memory_bytes > limits.memory_bytes
  ) {
    problems.push(['memory', `The memory reservation (${reservations.memory}) is above the limit (${limits.memory}).`]);
  }
  if (
    limits?.cpus !== undefined &&
    reservations?.cpus !== undefined &&
    Number(reservations.cpus) > Number(limits.cpus)
  ) {
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
// Networks: names of overlay networks the service joins (created at deploy when missing, labelled as ours).

export const NETWORK_RULE =
  'Network names use letters, digits, _ . and -, start with a letter or digit, at most 64 characters.';
const RESERVED_NETWORKS = new Set(['host', 'none', 'bridge', 'ingress', 'docker_gwbridge']);
export const networkNameSchema = z
  .string(NETWORK_RULE)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, NETWORK_RULE)
  .refine(
    (name) => !RESERVED_NETWORKS.has(name.toLowerCase()),
    'host, none, bridge, ingress and docker_gwbridge are Docker’s own networks.',
  );

export const networksSchema = z
  .array(networkNameSchema)
  .max(MAX_NETWORKS, `An application joins at most ${MAX_NETWORKS} networks.`)
  .transform((names) => [...new Set(names)]);

// ---------------------------------------------------------------------------------------------------------------

export const dockerConfigSchema = z
  .strictObject({
    ports: z.array(portSchema).max(MAX_PORTS, `At most ${MAX_PORTS} ports.`).optional(),
    entrypoint: entrypointSchema.optional(),
    command: commandSchema.optional(),
    healthcheck: healthcheckSchema.optional(),
    resources: resourcesSchema.optional(),
    networks: networksSchema.optional(),
  })
  .superRefine(({ ports }, ctx) => {
    for (const index of duplicatePublishedPorts(ports ?? [])) {
      const port = ports![index]!;
      ctx.addIssue({
        code: 'custom',
        message: `Port ${port.published}/${port.protocol} is published twice.`,
        path: ['ports', index, 'published'],
      });
    }
  })
  // Empty lists and sets are dropped, so "nothing configured" is always stored as {}.
  .transform((config): DockerConfig => {
    const out: DockerConfig = {};
    if (config.ports?.length) out.ports = config.ports;
    if (config.entrypoint?.length) out.entrypoint = config.entrypoint;
    if (config.command?.length) out.command = config.command;
    if (config.healthcheck) out.healthcheck = config.healthcheck;
    const limits =
      config.resources?.limits && Object.keys(config.resources.limits).length ? config.resources.limits : undefined;
    const reservations =
      config.resources?.reservations && Object.keys(config.resources.reservations).length
        ? config.resources.reservations
        : undefined;
    if (limits || reservations)
      out.resources = { ...(limits ? { limits } : {}), ...(reservations ? { reservations } : {}) };
    if (config.networks?.length) out.networks = config.networks;
    // Through JSON once: optional keys given as undefined disappear, as they would in the jsonb column.
    return JSON.parse(JSON.stringify(out)) as DockerConfig;
  });

export type DockerConfig = {
  ports?: Port[];
  /** ContainerSpec.Command: replaces the image's ENTRYPOINT. */
  entrypoint?: string[];
  /** ContainerSpec.Args: replaces the image's CMD. */
  command?: string[];
  healthcheck?: Healthcheck;
  resources?: { limits?: ResourceSet; reservations?: ResourceSet };
  networks?: string[];
};
export type DockerConfigInput = z.input<typeof dockerConfigSchema>;
