// bench: the edge proxy. A small app (busybox httpd, one replica on the real Swarm) measured in the same run straight
// to its task's host-mode port and through a real Caddy (a Swarm service on the project's overlay network, the
// proxy's rendered config: dynamic `a` upstreams on tasks.<service>), closed loop at concurrency 50: requests/s and
// p50/p99, and the ratio proxy/direct (target ≥ 0.8). Then Caddy's config load time (POST /load over the admin
// socket) with 1,000 domains, beside 1 domain.
// Usage: npx tsx bench/proxy.ts     (needs dockerd in swarm mode and slipway/busybox:test, as the Docker tests)
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

import { edgeConfig, startCaddyService, type CaddyService } from '@/lib/proxy/testing/caddy-service';
import { buildImage } from '@/lib/swarm/build';
import { connectDocker } from '@/lib/swarm/client';
import { deployService } from '@/lib/swarm/deploy';
import { imageRef, labelsFor, serviceName } from '@/lib/swarm/names';
import { cleanupApps, httpAppDockerfile, oneReplica, taskPorts, testApp } from '@/lib/swarm/test-support';

import { fmt, ms, pct } from './support';

const CONCURRENCY = 50;
const SECONDS = Number(process.argv[2] ?? 10);
const HOST = 'bench.slipway.test';
const DOMAINS = 1_000;
const LOADS = 5;

type Figures = { requests: number; failed: number; perSecond: number; p50: number; p99: number };

/** CONCURRENCY clients, each sending its next GET as soon as the last answered, for `seconds`. */
async function closedLoop(port: number, host: string, seconds: number): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const once = () =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(ms(sent));
          else failed += 1;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        failed += 1;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) await once();
    }),
  );
  agent.destroy();
  const elapsed = ms(start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + failed,
    failed,
    perSecond: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
  };
}

function row(label: string, figures: Figures): string {
  return (
    `${label.padEnd(22)}${fmt(figures.perSecond, { unit: ' req/s', width: 14 })}` +
    `${fmt(figures.p50)}${fmt(figures.p99)}${String(figures.failed).padStart(8)}`
  );
}

async function loadTimes(caddy: CaddyService, service: string, domains: number): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round < LOADS; round += 1) {
    // A different config each round: Caddy skips a /load whose config equals the running one.
    const routes = Array.from({ length: domains }, (_, index) => ({
      host: index === 0 && domains > 1 ? HOST : `d${index}-r${round}.bench.slipway.test`,
      service,
      port: 8080,
    }));
    const config = edgeConfig(routes);
    const start = performance.now();
    await caddy.load(config);
    times.push(ms(start));
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const docker = connectDocker();
  const app = testApp('bench');
  const owner = { id: randomUUID(), projectId: app.projectId };
  let caddy: CaddyService | undefined;
  try {
    const image = imageRef(app.id, 'v1');
    await buildImage(docker, {
      context: { dockerfileText: httpAppDockerfile('bench') },
      tag: image,
      labels: labelsFor(app),
      onLine: () => {},
    });
    const deployed = await deployService(
      docker,
      oneReplica(app, image, { ports: [{ target: 8080, protocol: 'tcp', mode: 'host' }] }),
      { timeoutMs: 60_000, pollMs: 200, onLine: () => {} },
    );
    if (deployed.outcome !== 'success') throw new Error(`the bench app did not deploy: ${deployed.reason}`);
    const [task] = await taskPorts(docker, serviceName(app));
    if (!task) throw new Error('the bench app has no running task with a host port');
    caddy = await startCaddyService(docker, owner);
    await caddy.load(edgeConfig([{ host: HOST, service: serviceName(app), port: 8080 }]));
    // Caddy answers once it resolves tasks.<service> on the network it just joined: wait for that (bounded).
    for (const deadline = Date.now() + 30_000; (await closedLoop(caddy.port, HOST, 0.2)).failed > 0;) {
      if (Date.now() > deadline) throw new Error('the app did not answer through Caddy within 30 s');
    }
    // Warm both paths and check they serve the app.
    for (const port of [task.port, caddy.port]) {
      const warm = await closedLoop(port, HOST, 1);
      if (warm.requests === 0 || warm.failed > 0)
        throw new Error(`port ${port} does not serve the app: ${warm.failed}`);
    }

    console.log(`proxy bench: busybox httpd, 1 task, concurrency ${CONCURRENCY}, ${SECONDS} s per run`);
    console.log(
      `${''.padEnd(22)}${'throughput'.padStart(14)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'failed'.padStart(8)}`,
    );
    // Interleaved, twice each, so drift on the machine hits both paths alike; the better run of each is kept.
    const direct: Figures[] = [];
    const proxied: Figures[] = [];
    for (let round = 0; round < 2; round += 1) {
      direct.push(await closedLoop(task.port, HOST, SECONDS / 2));
      console.log(row(`direct (task :${task.port})`, direct.at(-1)!));
      proxied.push(await closedLoop(caddy.port, HOST, SECONDS / 2));
      console.log(row(`through Caddy`, proxied.at(-1)!));
    }
    const best = (runs: Figures[]) => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const ratio = best(proxied).perSecond / best(direct).perSecond;
    console.log(`ratio proxy/direct: ${ratio.toFixed(2)} (target ≥ 0.80)`);

    const one = await loadTimes(caddy, serviceName(app), 1);
    const many = await loadTimes(caddy, serviceName(app), DOMAINS);
    const size = JSON.stringify(
      edgeConfig(Array.from({ length: DOMAINS }, (_, i) => ({ host: `d${i}.x.test`, service: 'svc', port: 8080 }))),
    ).length;
    console.log(`config load (POST /load over the admin socket), ${LOADS} loads each:`);
    console.log(`  ${String(1).padStart(5)} domain   p50 ${fmt(pct(one, 50))}  max ${fmt(one.at(-1)!)}`);
    console.log(
      `  ${String(DOMAINS).padStart(5)} domains  p50 ${fmt(pct(many, 50))}  max ${fmt(many.at(-1)!)}  (${(size / 1024).toFixed(0)} KiB of JSON)`,
    );
    const after = await closedLoop(caddy.port, HOST, 1);
    console.log(
      `after the 1,000-domain load the app still answers through Caddy: ${after.failed === 0 ? 'yes' : 'NO'}`,
    );
  } finally {
    await caddy?.remove();
    await cleanupApps(docker, [app, owner]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
