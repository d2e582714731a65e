// The panel's one Docker client (DOCKER_HOST or the local socket), made on first use. lib/swarm takes it as an
// argument; this is where configuration meets the engine.
import type Docker from 'dockerode';

import { env } from '@/lib/env';
import { remember } from '@/lib/server/remember';
import { connectDocker } from '@/lib/swarm';

export function getDocker(): Docker {
  return remember('docker', () => connectDocker({ host: env().DOCKER_HOST }));
}
