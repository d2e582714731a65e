// npm run worker — the deployment worker as its own process, against the panel's DATABASE_URL (the panel also runs
// one inside itself unless SLIPWAY_WORKER=off). Builds and deploys with the Docker engine at DOCKER_HOST.
import { database } from '@/lib/db';
import { getDocker } from '@/lib/deploy/docker';
import { createPipeline } from '@/lib/deploy/pipeline';
import { runWorkerProcess } from '@/lib/deploy/worker-process';
import { env } from '@/lib/env';

async function main() {
  const db = await database();
  await runWorkerProcess({ run: createPipeline({ db, docker: getDocker(), keepImages: env().SLIPWAY_KEEP_IMAGES }) });
}

main().catch((error: Error) => {
  console.error(`[slipway worker] cannot start: ${error.message}`);
  process.exit(1);
});
