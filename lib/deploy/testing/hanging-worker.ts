// A worker process for tests that stop or kill it mid-run: its pipeline says "RUNNING <id> <status>" on stdout and
// then waits for its signal (a real process with real connections, so SIGKILL drops its lock the way a crash does).
// metadata.behaviour 'hang-deploying' moves to deploying before waiting.
import type { RunDeployment } from '@/lib/deploy/worker';
import { runWorkerProcess } from '@/lib/deploy/worker-process';

const waitForAbort: RunDeployment = async (deployment, { signal, markDeploying }) => {
  const deploying = deployment.metadata.behaviour === 'hang-deploying';
  if (deploying) await markDeploying({ image: 'slipway/app:hanging' });
  process.stdout.write(`RUNNING ${deployment.id} ${deploying ? 'deploying' : 'building'}\n`);
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );
};

runWorkerProcess({ run: waitForAbort, graceMs: 500 }).catch((error: Error) => {
  console.error(`hanging worker cannot start: ${error.message}`);
  process.exit(1);
});
