// bench: deploy overhead, one small HTTP app (busybox httpd, health-checked) deployed twice in the same run: through
// Slipway's real pipeline (pg-boss job → worker → git checkout → Engine API build → Swarm service, the row polled
// until success) and by hand with the docker CLI (git clone --depth 1, docker build, docker service create/update).
// Each does a first deploy and a redeploy of a second commit (a changed file: a real rebuild). Prints per step the
// seconds of each and the ratio Slipway/CLI; "answers" is when the new version first serves on its task's host port,
// probed from the start by the same code for both. Exits non-zero when either path fails.
// Usage: npx tsx bench/deploy-overhead.ts     (needs PostgreSQL at TEST_DATABASE_ADMIN_URL and Docker in Swarm mode
// with the local image slipway/busybox:test, as the integration tests)
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import type Docker from 'dockerode';

import { asSystem } from '@/lib/db/context';
import { createPipeline } from '@/lib/deploy/pipeline';
import { enqueueDeployment, startQueue, type DeploymentQueue } from '@/lib/deploy/queue';
import { startWorker } from '@/lib/deploy/worker';
import { startGitServer, type GitTestServer } from '@/lib/git/test-server';
import { connectDocker, serviceName } from '@/lib/swarm';
import { cleanupApp, fetchText, httpAppDockerfile, taskPorts, testProjectId } from '@/lib/swarm/test-support';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/database';
import setup from '@/lib/testing/global-setup';

import { ms } from './support';

// One health check and one update monitor for both paths (pipeline.int.test.ts's fast ones).
const HEALTH = {
  cmd: 'wget -q -O- http://127.0.0.1:8080/ || exit 1',
  interval: '1s',
  timeout: '1s',
  retries: 2,
  startPeriod: '1s',
};
const MONITOR_MS = 3000;
const TIMEOUT_MS = 180_000;

const run = promisify(execFile);
const secs = (millis: number | undefined) => (millis === undefined ? '—' : (millis / 1000).toFixed(2));

/** argv only; the classic builder for `docker build`, the one Slipway's Engine API builds use. */
async function cli(file: string, args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      cwd,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: TIMEOUT_MS,
    });
    return stdout.trim();
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `${file} ${args.slice(0, 2).join(' ')} failed: ${(stderr ?? '').trim() || (error as Error).message}`,
    );
  }
}

/**
 * Milliseconds from `t0` until a running task of the service first serves `content` on its host port, or null when
 * stopped or out of time. Host-mode ports are published without a fixed port: on a one-node swarm a start-first
 * update cannot start the new task beside the old one on the same host port (it stays pending, "host-mode port
 * already in use", and the update never converges), so each task gets its own port, read from the task.
 */
async function firstAnswer(
  docker: Docker,
  service: string,
  content: string,
  t0: number,
  stop: AbortSignal,
): Promise<number | null> {
  while (!stop.aborted && ms(t0) < TIMEOUT_MS) {
    for (const { port } of await taskPorts(docker, service).catch(() => [])) {
      if ((await fetchText(port, 500)) === content) return ms(t0);
    }
    await sleep(100);
  }
  return null;
}

/** Step times of one deploy, in ms from the trigger; `queued` (the worker claiming the job) is Slipway's alone. */
type Timing = { queued?: number; built: number; converged: number; answered: number };

type Version = { sha: string; content: string };

async function answered(probe: Promise<number | null>, stop: AbortController, what: string): Promise<number> {
  const elapsed = await Promise.race([probe, sleep(30_000, null, { ref: false })]);
  stop.abort();
  if (elapsed === null) throw new Error(`${what} converged but never answered on its port`);
  return elapsed;
}

type SlipwayRig = {
  test: TestDatabase;
  queue: DeploymentQueue;
  userId: string;
  app: { id: string; name: string; projectId: string };
};

async function slipwayDeploy(docker: Docker, rig: SlipwayRig, version: Version): Promise<Timing> {
  const stop = new AbortController();
  const t0 = performance.now();
  const probe = firstAnswer(docker, serviceName(rig.app), version.content, t0, stop.signal);
  try {
    const { deploymentId } = await asSystem(rig.test.db.prisma, (tx) =>
      enqueueDeployment(tx, rig.queue, {
        applicationId: rig.app.id,
        triggeredBy: rig.userId,
        commitSha: version.sha,
        trigger: 'deploy',
      }),
    );
    const seen: Record<string, number> = {};
    for (;;) {
      const row = await asSystem(rig.test.db.prisma, (tx) =>
        tx.deployment.findUniqueOrThrow({ where: { id: deploymentId }, select: { status: true, metadata: true } }),
      );
      seen[row.status] ??= ms(t0);
      if (row.status === 'success') break;
      if (['failed', 'rolled_back'].includes(row.status)) {
        const lines = await rig.test.systemPool.query<{ message: string }>(
          'SELECT message FROM deployment_logs WHERE deployment_id = $1 ORDER BY id DESC LIMIT 10',
          [deploymentId],
        );
        const reason = (row.metadata as { reason?: string }).reason ?? '';
        throw new Error(
          `Slipway deployment ${row.status}: ${reason}\n  ${lines.rows
            .map((l) => l.message)
            .reverse()
            .join('\n  ')}`,
        );
      }
      if (ms(t0) > TIMEOUT_MS) throw new Error(`Slipway deployment still ${row.status} after ${TIMEOUT_MS / 1000} s`);
      await sleep(25);
    }
    const converged = seen.success!;
    // A poll can miss a short state; the next one seen stands in for it.
    const built = seen.deploying ?? converged;
    return {
      queued: seen.building ?? built,
      built,
      converged,
      answered: await answered(probe, stop, 'Slipway service'),
    };
  } finally {
    stop.abort();
  }
}

type CliRig = { url: string; service: string; network: string; tags: string[] };

/** The same service, by hand: the same essentials as lib/swarm/service-spec.ts, none of Slipway's labels. */
async function cliDeploy(docker: Docker, rig: CliRig, version: Version, first: boolean): Promise<Timing> {
  const stop = new AbortController();
  const t0 = performance.now();
  const probe = firstAnswer(docker, rig.service, version.content, t0, stop.signal);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cli-'));
  try {
    await cli('git', ['clone', '--quiet', '--depth', '1', '--branch', 'main', '--', rig.url, dir]);
    const head = await cli('git', ['rev-parse', 'HEAD'], dir);
    if (head !== version.sha) throw new Error(`git clone got ${head}, expected ${version.sha}`);
    const tag = `bench-cli/app:${version.sha.slice(0, 12)}`;
    rig.tags.push(tag);
    await cli('docker', ['build', '--quiet', '--tag', tag, '--', dir]);
    const built = ms(t0);
    if (first) {
      await cli('docker', ['network', 'create', '--driver', 'overlay', '--attachable', '--', rig.network]);
      await cli('docker', [
        'service',
        'create',
        '--quiet',
        '--name',
        rig.service,
        '--replicas',
        '1',
        '--network',
        `name=${rig.network},alias=app`,
        '--publish',
        'mode=host,target=8080',
        '--health-cmd',
        HEALTH.cmd,
        '--health-interval',
        HEALTH.interval,
        '--health-timeout',
        HEALTH.timeout,
        '--health-retries',
        String(HEALTH.retries),
        '--health-start-period',
        HEALTH.startPeriod,
        '--restart-condition',
        'on-failure',
        '--restart-delay',
        '5s',
        '--restart-max-attempts',
        '3',
        '--update-parallelism',
        '1',
        '--update-order',
        'start-first',
        '--update-failure-action',
        'rollback',
        '--update-monitor',
        `${MONITOR_MS}ms`,
        '--update-max-failure-ratio',
        '0',
        '--rollback-parallelism',
        '1',
        '--rollback-order',
        'start-first',
        '--rollback-failure-action',
        'pause',
        '--rollback-monitor',
        '5s',
        '--',
        tag,
      ]);
    } else {
      await cli('docker', ['service', 'update', '--quiet', '--image', tag, '--', rig.service]);
    }
    const converged = ms(t0);
    const state = await cli('docker', [
      'service',
      'inspect',
      '--format',
      '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}',
      '--',
      rig.service,
    ]);
    if (state !== '' && state !== 'completed')
      throw new Error(`docker service ${first ? 'create' : 'update'} ended ${state}`);
    return { built, converged, answered: await answered(probe, stop, 'CLI service') };
  } finally {
    stop.abort();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes what the CLI path made, by exact name; keeps going past errors and reports them. */
async function cleanupCli(docker: Docker, rig: CliRig): Promise<string[]> {
  const errors: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    for (let i = 0; ; i += 1) {
      try {
        return void (await action());
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return;
        if (i >= 40) return void errors.push(`${what}: ${(error as Error).message}`);
        await sleep(250);
      }
    }
  };
  await attempt(`service ${rig.service}`, () => docker.getService(rig.service).remove());
  const filters = { label: [`com.docker.swarm.service.name=${rig.service}`] };
  for (const container of await docker.listContainers({ all: true, filters })) {
    await attempt(`container ${container.Id}`, () => docker.getContainer(container.Id).remove({ force: true }));
  }
  const networks = await docker.listNetworks({ filters: { name: [rig.network] } });
  for (const network of networks.filter((n) => n.Name === rig.network)) {
    await attempt(`network ${rig.network}`, () => docker.getNetwork(network.Id).remove());
  }
  for (const tag of rig.tags) await attempt(`image ${tag}`, () => docker.getImage(tag).remove({ force: true }));
  return errors;
}

async function newApplication(test: TestDatabase, gitUrl: string) {
  return asSystem(test.db.prisma, async (tx) => {
    const user = await tx.user.create({
      data: { username: 'bench', email: 'bench@example.com', authProvider: 'github', role: 'developer' },
    });
    // A test project id: a later test run sweeps the Docker objects of a bench that died (lib/testing/preclean.ts).
    const project = await tx.project.create({ data: { id: testProjectId(), name: 'bench', ownerId: user.id } });
    const app = await tx.application.create({
      data: {
        projectId: project.id,
        name: 'bench',
        type: 'git',
        sourceType: 'github',
        replicas: 1,
        sourceConfig: { repository: gitUrl, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' },
        dockerConfig: {
          ports: [{ target: 8080, protocol: 'tcp', mode: 'host' }],
          healthcheck: {
            test: ['CMD-SHELL', HEALTH.cmd],
            interval: HEALTH.interval,
            timeout: HEALTH.timeout,
            retries: HEALTH.retries,
            start_period: HEALTH.startPeriod,
          },
        },
      },
      select: { id: true, name: true, projectId: true },
    });
    return { userId: user.id, app };
  });
}

function printTable(results: { step: string; slipway: Timing; cli: Timing }[]) {
  const row = (label: string, s: number | undefined, c: number | undefined) => {
    const ratio = s !== undefined && c !== undefined ? `${(s / c).toFixed(2)}×` : '—';
    console.log(`  ${label.padEnd(44)}${secs(s).padStart(9)}${secs(c).padStart(9)}${ratio.padStart(9)}`);
  };
  console.log(
    `\n  ${'step'.padEnd(44)}${'Slipway'.padStart(9)}${'CLI'.padStart(9)}${'ratio'.padStart(9)}   (seconds from the trigger)`,
  );
  for (const { step, slipway, cli: hand } of results) {
    console.log(`${step}`);
    row('job claimed by the worker', slipway.queued, undefined);
    row('source fetched + image built', slipway.built, hand.built);
    row('rollout converged (row success / CLI returns)', slipway.converged, hand.converged);
    row('new version answers on its port', slipway.answered, hand.answered);
  }
}

async function main() {
  const docker = connectDocker();
  const nonce = randomBytes(4).toString('hex');
  // Distinct served text per path and per run: neither build may reuse the other's (or an earlier run's) cache.
  const content = (variant: string, n: number) => `bench-${nonce}-${variant}-v${n}`;

  await setup();
  const test = await createTestDatabase();
  let queue: DeploymentQueue | undefined;
  let git: GitTestServer | undefined;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let slipwayApp: SlipwayRig['app'] | undefined;
  const cliRig: CliRig = { url: '', service: `bench-cli-${nonce}`, network: `bench-cli-${nonce}`, tags: [] };
  try {
    queue = await startQueue({ connectionString: test.url, supervise: false, max: 2, log: () => {} });
    git = await startGitServer();
    cliRig.url = git.url;
    const { userId, app } = await newApplication(test, git.url);
    slipwayApp = app;
    // The production worker's poll interval (1 s), the tests' short monitor window (and the CLI's --update-monitor).
    worker = await startWorker({
      db: test.db,
      queue,
      run: createPipeline({ db: test.db, docker, monitorMs: MONITOR_MS, rolloutTimeoutMs: 120_000 }),
      log: () => {},
    });
    const rig: SlipwayRig = { test, queue, userId, app };

    console.log(
      `deploy overhead — Slipway pipeline vs docker CLI by hand, same app and health check (1 replica, host-mode port, ` +
        `start-first, monitor ${MONITOR_MS / 1000} s); ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, ` +
        `Node ${process.version}, ${os.platform()} ${os.release()}`,
    );
    const results: { step: string; slipway: Timing; cli: Timing }[] = [];
    for (const [n, step] of [
      [1, 'first deploy'],
      [2, 'redeploy (new commit, real rebuild)'],
    ] as const) {
      // One commit per path, differing only in the served text (a shared commit would give the second build the
      // first one's layer cache); each path deploys its commit while it is the branch head. .git is not build input
      // for Slipway (lib/swarm/context.ts), so not for docker build either.
      const files = (variant: string) => ({
        '.dockerignore': '.git\n',
        Dockerfile: httpAppDockerfile(content(variant, n)),
      });
      const slipwaySha = await git.commit(files('slipway'), `slipway v${n}`);
      const slipway = await slipwayDeploy(docker, rig, { sha: slipwaySha, content: content('slipway', n) });
      const cliSha = await git.commit(files('cli'), `cli v${n}`);
      const hand = await cliDeploy(docker, cliRig, { sha: cliSha, content: content('cli', n) }, n === 1);
      results.push({ step, slipway, cli: hand });
      console.log(`  ${step}: done`);
    }
    printTable(results);
    console.log(
      "\n  Every time is from the trigger (enqueue / first command), so Slipway's include the worker claiming the job. " +
        'After a first create the CLI waits its own --update-monitor before it returns; Slipway returns once the tasks ' +
        "run. Both updates wait out Swarm's monitor window.",
    );
  } finally {
    // Every step is tried even when an earlier one fails, so a failed run still removes what it made.
    const leftovers: string[] = [];
    const settle = (what: string, work: () => Promise<unknown> | undefined) =>
      Promise.resolve()
        .then(work)
        .catch((error: Error) => void leftovers.push(`${what}: ${error.message}`));
    await settle('worker', () => worker?.stop({ graceMs: 1000 }));
    await settle('queue', () => queue?.stop());
    await settle('CLI objects', async () => leftovers.push(...(await cleanupCli(docker, cliRig))));
    await settle('Slipway objects', () => (slipwayApp ? cleanupApp(docker, slipwayApp) : undefined));
    await settle('git server', () => git?.stop());
    await settle('test database', () => test.drop());
    if (leftovers.length) {
      console.error(`cleanup left objects behind:\n${leftovers.join('\n')}`);
      process.exitCode = 1;
    }
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
