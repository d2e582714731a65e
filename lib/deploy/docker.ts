// The panel's one Docker client (DOCKER_HOST or the local socket), made on first use. lib/swarm takes it as an
// argument; this is where configuration meets the engine.
import type Docker from 'dockerode';
import { env } from '@/lib/env';
import { connectDocker } from '@/lib/swarm';

const holder = globalThis as unknown as { __slipwayDocker?: Docker };

export function getDocker(): Docker {
  holder.__slipwayDocker ??= connectDocker({ host: env().DOCKER_HOST });
  return holder.__slipwayDocker;
}
