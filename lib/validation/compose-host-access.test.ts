import { describe, expect, it } from 'vitest';

import { checkCompose } from './compose';

const web = (lines: string) => `services:\n  web:\n    image: nginx\n${lines}`;

// Each hostile file, and the message that must name its service, key, and what to do.
const HOSTILE: [string, string, RegExp][] = [
  ['privileged', web('    privileged: true\n'), /^Service "web" sets privileged: .*root user\. Remove privileged:/],
  ['privileged as a string', web('    privileged: "yes"\n'), /^Service "web" sets privileged:/],
  ['privileged from a variable', web('    privileged: ${PRIV}\n'), /^Service "web" sets privileged:/],
  ['pid: host', web('    pid: host\n'), /^Service "web" sets pid: host: .*every process on the host\. Remove pid:/],
  ['pid: HOST, any case', web('    pid: HOST\n'), /^Service "web" sets pid: host:/],
  ['network_mode: host', web('    network_mode: host\n'), /^Service "web" sets network_mode: host: .*ports:/],
  [
    'network_mode: container:x',
    web('    network_mode: "container:db1"\n'),
    /network_mode: "container:db1".*another tenant/,
  ],
  ['network_mode from a variable', web('    network_mode: ${MODE}\n'), /network_mode: "\$\{MODE\}", a variable/],
  ['ipc: host', web('    ipc: host\n'), /^Service "web" sets ipc: host: .*share memory/],
  ['uts: host', web('    uts: host\n'), /^Service "web" sets uts: host:/],
  ['userns_mode: host', web('    userns_mode: host\n'), /^Service "web" sets userns_mode: host: .*root on the host/],
  ['cgroup: host', web('    cgroup: host\n'), /^Service "web" sets cgroup: host:/],
  ['cap_add ALL', web('    cap_add: [ALL]\n'), /^Service "web" adds ALL in cap_add: .*Remove it from cap_add:/],
  [
    'cap_add SYS_ADMIN',
    web('    cap_add:\n      - SYS_ADMIN\n'),
    /^Service "web" adds SYS_ADMIN in cap_add: .*mounting/,
  ],
  [
    'cap_add CAP_SYS_MODULE, lower case',
    web('    cap_add: [cap_sys_module]\n'),
    /adds SYS_MODULE in cap_add: .*kernel/,
  ],
  ['cap_add SYS_PTRACE', web('    cap_add: [SYS_PTRACE]\n'), /adds SYS_PTRACE in cap_add:/],
  ['cap_add DAC_READ_SEARCH', web('    cap_add: [DAC_READ_SEARCH]\n'), /adds DAC_READ_SEARCH in cap_add: .*Shocker/],
  ['cap_add from a variable', web('    cap_add: ["${CAP}"]\n'), /adds "\$\{CAP\}" in cap_add:, a variable/],
  [
    'seccomp unconfined',
    web('    security_opt: ["seccomp:unconfined"]\n'),
    /"seccomp:unconfined" in security_opt: .*seccomp filter/,
  ],
  ['seccomp=unconfined', web('    security_opt: ["seccomp=unconfined"]\n'), /"seccomp=unconfined" in security_opt:/],
  [
    'apparmor unconfined',
    web('    security_opt: ["apparmor:unconfined"]\n'),
    /"apparmor:unconfined" in security_opt: .*AppArmor/,
  ],
  ['SELinux label disable', web('    security_opt: ["label:disable"]\n'), /"label:disable" in security_opt: .*SELinux/],
  ['systempaths unconfined', web('    security_opt: ["systempaths=unconfined"]\n'), /systempaths=unconfined.*\/proc/],
  ['devices', web('    devices: ["/dev/sda:/dev/sda"]\n'), /^Service "web" lists devices: .*Remove devices:/],
  ['device_cgroup_rules', web('    device_cgroup_rules: ["c 1:3 mr"]\n'), /sets device_cgroup_rules: .*Remove/],
  ['volumes_from another container', web('    volumes_from: ["container:other"]\n'), /volumes_from: "container:other"/],
  [
    'a bind of /',
    web('    volumes: ["/:/host"]\n'),
    /^Service "web" mounts "\/" in volumes: .*whole filesystem\. Use a named volume/,
  ],
  ['a read-only bind of /', web('    volumes: ["/:/host:ro"]\n'), /mounts "\/" in volumes: .*whole filesystem/],
  ['a bind of / spelled //', web('    volumes: ["//:/host"]\n'), /mounts "\/\/" in volumes: .*whole filesystem/],
  ['a bind of / through ..', web('    volumes: ["/var/run/../../:/host"]\n'), /whole filesystem/],
  [
    'the Docker socket, short syntax',
    web('    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n'),
    /mounts "\/var\/run\/docker\.sock" in volumes: .*Docker socket.*root on the host\. Remove this volume/,
  ],
  ['the Docker socket under /run', web('    volumes: ["/run/docker.sock:/docker.sock:ro"]\n'), /Docker socket/],
  [
    'the Docker socket, long syntax',
    web('    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n        target: /sock\n'),
    /Docker socket/,
  ],
  ['a Docker socket somewhere else', web('    volumes: ["/srv/rootless/docker.sock:/s"]\n'), /Docker socket/],
  [
    '/ in long syntax',
    web('    volumes:\n      - type: bind\n        source: /\n        target: /host\n'),
    /whole filesystem/,
  ],
  ['/etc', web('    volumes: ["/etc:/host-etc"]\n'), /under \/etc, a system path of the host/],
  ['/proc/1', web('    volumes: ["/proc/1:/p"]\n'), /under \/proc/],
  ['/var/lib/docker', web('    volumes: ["/var/lib/docker:/d"]\n'), /under \/var\/lib\/docker/],
  ["the host user's home", web('    volumes: ["~/.ssh:/keys"]\n'), /home directory of the host's user/],
  ['a bind source from a variable', web('    volumes: ["${ROOT:-/}:/host"]\n'), /uses a variable .*cannot tell/],
  [
    'a named volume that binds /',
    'services:\n  web:\n    image: nginx\n    volumes: ["root:/host"]\nvolumes:\n  root:\n    driver_opts:\n      type: none\n      o: bind\n      device: /\n',
    /^Volume "root" binds "\/" \(driver_opts: device\): .*whole filesystem/,
  ],
  [
    "the host's network",
    'services:\n  web:\n    image: nginx\n    networks: [hostnet]\nnetworks:\n  hostnet:\n    external: true\n    name: host\n',
    /^Network "hostnet" is the host's own network/,
  ],
];

describe('checkCompose refuses host powers', () => {
  it.each(HOSTILE)('%s', (_label, text, message) => {
    const { problems, summary } = checkCompose(text);
    expect(summary).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every host power of every service at once', () => {
    const text =
      'services:\n  a:\n    image: x\n    privileged: true\n    pid: host\n  b:\n    image: y\n    cap_add: [ALL, SYS_ADMIN]\n';
    expect(checkCompose(text).problems.map((p) => p.split(':')[0])).toEqual([
      'Service "a" sets privileged',
      'Service "a" sets pid',
      'Service "b" adds ALL in cap_add',
      'Service "b" adds SYS_ADMIN in cap_add',
    ]);
  });
});

// Near misses: ordinary files that look like the hostile ones.
const ORDINARY: [string, string][] = [
  ['privileged: false', web('    privileged: false\n')],
  [
    'capabilities of its own namespaces',
    web('    cap_add: [NET_ADMIN, NET_BIND_SERVICE, SYS_NICE]\n    cap_drop: [ALL]\n'),
  ],
  ['no-new-privileges', web('    security_opt: ["no-new-privileges:true"]\n')],
  [
    'sharing with a service of the file',
    web('    network_mode: "service:db"\n    pid: "service:db"\n    ipc: shareable\n'),
  ],
  ['named and anonymous volumes', web('    volumes: ["data:/data", "/cache"]\nvolumes:\n  data: {}\n')],
  ['a relative bind', web('    volumes: ["./html:/usr/share/nginx/html:ro"]\n')],
  ['a data path of the host', web('    volumes: ["/srv/data:/data", "/var/lib/app:/app"]\n')],
  ['a path that only starts like /etc', web('    volumes: ["/etcetera:/x"]\n')],
  ['a target that is a system path', web('    volumes: ["data:/var/run/app"]\n')],
  ['an overlay network of its own', web('    networks: [backend]\nnetworks:\n  backend:\n    driver: overlay\n')],
];

describe('checkCompose accepts ordinary files', () => {
  it.each(ORDINARY)('%s', (_label, text) => {
    expect(checkCompose(text).problems).toEqual([]);
  });
});
