// What a compose file may not ask for: powers over the host itself. A service with any of them could read or change
// the host and every other tenant's containers, so the file is refused when it is saved, and the same check runs
// before any deployment of it (checkCompose, compose.ts, is the one entry point). Each message names the service
// (or top-level entry) and the key, says why, and says what to write instead.
//
// Interpolation (${VAR}) in these keys is refused too: the panel cannot tell what it will expand to.

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const INTERPOLATED = /\$/;

/** Namespaces a service may not share with the host; `service:<name>` (another service of the file) stays allowed. */
const HOST_NAMESPACES: Record<string, { why: string; instead: string }> = {
  network_mode: {
    why: "it would use the host's network stack, with every interface and port of the host",
    instead: 'Remove network_mode:, and publish the ports the service serves with ports:.',
  },
  pid: {
    why: 'it would see, signal and trace every process on the host',
    instead: 'Remove pid: (or share with a service of this file: pid: "service:<name>").',
  },
  ipc: {
    why: "it would share memory with the host's processes",
    instead: 'Remove ipc: (or share with a service of this file: ipc: "service:<name>").',
  },
  uts: { why: "it would share the host's host name and domain name", instead: 'Remove uts:.' },
  userns_mode: {
    why: 'it would turn off user-namespace remapping, so root in the container is root on the host',
    instead: 'Remove userns_mode:.',
  },
  cgroup: { why: "it would use the host's cgroup namespace", instead: 'Remove cgroup: (or set it to private).' },
};

/**
 * Capabilities refused in cap_add, each because it reaches past the container into the host's kernel or files.
 * Others (NET_ADMIN, SYS_NICE, SYS_RESOURCE, NET_BIND_SERVICE …) act on the container's own namespaces and are allowed.
 */
export const REFUSED_CAPABILITIES: Record<string, string> = {
  ALL: "it is every power of the host's root user",
  SYS_ADMIN: 'it allows mounting filesystems and is behind most known container escapes',
  SYS_MODULE: "it loads code into the host's kernel",
  SYS_RAWIO: "it gives raw access to the host's memory and I/O ports",
  SYS_PTRACE: "it lets the service read and change other processes' memory and get around its seccomp filter",
  SYS_BOOT: 'it can reboot the host or load another kernel',
  SYS_TIME: "it sets the host's clock, which containers share",
  DAC_READ_SEARCH: 'it opens files of the host by handle, outside the container (the "Shocker" escape)',
  MAC_ADMIN: "it changes the host's AppArmor or SELinux policy",
  MAC_OVERRIDE: "it overrides the host's AppArmor or SELinux policy",
  BPF: "it loads programs into the host's kernel",
  PERFMON: "it observes the host's kernel and every process on it",
  SYSLOG: "it reads the host's kernel log, which gives away kernel addresses",
  AUDIT_CONTROL: "it changes the host's kernel audit rules",
};

/** security_opt entries that switch off the confinement every container gets (both `key:value` and `key=value`). */
const UNCONFINED: [RegExp, string][] = [
  [/^seccomp[:=]unconfined$/, 'turns off the seccomp filter that keeps the container from dangerous kernel calls'],
  [/^apparmor[:=]unconfined$/, 'turns off the AppArmor profile that confines the container'],
  [/^label[:=]disable$/, 'turns off SELinux labelling, which keeps the container out of host files'],
  [/^systempaths[:=]unconfined$/, 'unmasks /proc and /sys paths the host hides from containers'],
];

/** Host paths refused as a bind source, with everything beneath them (besides / itself and any Docker socket). */
export const HOST_SYSTEM_PATHS = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/home',
  '/run',
  '/var/run',
  '/var/lib/docker',
  '/var/lib/containerd',
] as const;

/** `a//b/./c/../d/` → `/a/b/d`: the path the host would open, so `/var/run/../../` is seen as `/`. */
function normalize(path: string): string {
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return `/${parts.join('/')}`;
}

/** Why a bind source may not be mounted, or null; only host paths (absolute, ~, interpolated) are checked. */
function hostPathProblem(source: string): string | null {
  if (INTERPOLATED.test(source)) {
    return `uses a variable (${source.slice(0, 60)}), so Slipway cannot tell which host path it names. Write the path out, or use a named volume`;
  }
  if (source === '~' || source.startsWith('~/')) {
    return "is in the home directory of the host's user. Use a named volume instead";
  }
  if (!source.startsWith('/')) return null;
  const path = normalize(source);
  if (path.split('/').some((segment) => segment.endsWith('docker.sock'))) {
    return 'is the Docker socket: whoever holds it controls Docker, which is root on the host. Remove this volume';
  }
  if (path === '/') return 'is the host\'s whole filesystem. Use a named volume instead (for example "data:/data")';
  const system = HOST_SYSTEM_PATHS.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  if (system) return `is under ${system}, a system path of the host. Use a named volume instead`;
  return null;
}

/** The host source of one entry of a service's volumes:, short ("src:target[:mode]") or long syntax. */
function volumeSource(entry: unknown): string | null {
  if (typeof entry === 'string') {
    const colon = entry.indexOf(':');
    return colon < 0 ? null : entry.slice(0, colon);
  }
  if (isMapping(entry) && typeof entry.source === 'string') return entry.source;
  return null;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const shown = (value: unknown) => JSON.stringify(typeof value === 'string' ? value.slice(0, 60) : value);

/** Every host power one service asks for, as messages. */
export function serviceHostAccessProblems(name: string, service: Mapping): string[] {
  const at = `Service ${JSON.stringify(name)}`;
  const problems: string[] = [];

  if (service.privileged !== undefined && service.privileged !== false && service.privileged !== 'false') {
    problems.push(
      `${at} sets privileged: it would run with every power of the host's root user. Remove privileged:, and add only the capabilities the service needs with cap_add: (for example NET_BIND_SERVICE).`,
    );
  }

  for (const [key, { why, instead }] of Object.entries(HOST_NAMESPACES)) {
    const value = service[key];
    if (value === undefined) continue;
    const mode = String(value).trim().toLowerCase();
    if (mode === 'host') problems.push(`${at} sets ${key}: host: ${why}. ${instead}`);
    else if (mode.startsWith('container:')) {
      problems.push(
        `${at} sets ${key}: ${shown(value)}: it would join a container this file does not define, perhaps another tenant's. ${instead}`,
      );
    } else if (INTERPOLATED.test(mode)) {
      problems.push(
        `${at} sets ${key}: ${shown(value)}, a variable Slipway cannot check (it could be host). Write the value out. ${instead}`,
      );
    }
  }

  for (const entry of list(service.cap_add)) {
    const cap = String(entry).trim().toUpperCase().replace(/^CAP_/, '');
    const why = REFUSED_CAPABILITIES[cap];
    if (why) {
      problems.push(
        `${at} adds ${cap} in cap_add: ${why}. Remove it from cap_add:, and list only the capabilities the service needs.`,
      );
    } else if (INTERPOLATED.test(cap)) {
      problems.push(`${at} adds ${shown(entry)} in cap_add:, a variable Slipway cannot check. Name the capability.`);
    }
  }

  for (const entry of list(service.security_opt)) {
    const option = String(entry).trim().toLowerCase();
    const match = UNCONFINED.find(([pattern]) => pattern.test(option));
    if (match) {
      problems.push(`${at} sets ${shown(entry)} in security_opt: it ${match[1]}. Remove it from security_opt:.`);
    } else if (INTERPOLATED.test(option)) {
      problems.push(`${at} sets ${shown(entry)} in security_opt:, a variable Slipway cannot check. Write it out.`);
    }
  }

  if (list(service.devices).length > 0) {
    problems.push(
      `${at} lists devices: it would reach the host's hardware (/dev) directly. Remove devices:; Slipway does not pass host devices to services.`,
    );
  }
  if (list(service.device_cgroup_rules).length > 0) {
    problems.push(
      `${at} sets device_cgroup_rules: it would let the container open the host's devices. Remove device_cgroup_rules:.`,
    );
  }

  for (const entry of list(service.volumes_from)) {
    const from = String(entry).trim();
    if (from.startsWith('container:') || INTERPOLATED.test(from)) {
      problems.push(
        `${at} takes volumes_from: ${shown(entry)}, which is not a service of this file. Name a service of this file instead.`,
      );
    }
  }

  for (const entry of list(service.volumes)) {
    const source = volumeSource(entry);
    const problem = source === null ? null : hostPathProblem(source);
    if (problem) problems.push(`${at} mounts ${shown(source)} in volumes: that host path ${problem}.`);
  }
  return problems;
}

/** Host powers asked for outside services: a named volume that binds a host path, the host's own network. */
export function topLevelHostAccessProblems(data: Mapping): string[] {
  const problems: string[] = [];
  if (isMapping(data.volumes)) {
    for (const [name, volume] of Object.entries(data.volumes)) {
      const device = isMapping(volume) && isMapping(volume.driver_opts) ? volume.driver_opts.device : undefined;
      const problem = typeof device === 'string' ? hostPathProblem(device) : null;
      if (problem) {
        problems.push(
          `Volume ${JSON.stringify(name)} binds ${shown(device)} (driver_opts: device): that host path ${problem}.`,
        );
      }
    }
  }
  if (isMapping(data.networks)) {
    for (const [name, network] of Object.entries(data.networks)) {
      const external = isMapping(network) && network.external !== undefined && network.external !== false;
      const actual = isMapping(network) && typeof network.name === 'string' ? network.name : name;
      if (external && actual.trim().toLowerCase() === 'host') {
        problems.push(
          `Network ${JSON.stringify(name)} is the host's own network (external, name host): services on it would use the host's network stack. Remove it, and publish ports with ports: instead.`,
        );
      }
    }
  }
  return problems;
}
