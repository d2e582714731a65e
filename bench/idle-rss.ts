// bench: idle memory of the built panel (npm run build first), embedded PostgreSQL counted apart.
// Prints the panel's RSS after a warm-up of page and health requests, next to a bare Node HTTP server measured in
// the same run as the baseline. Usage: npx tsx bench/idle-rss.ts
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort, startPanel, stopProcess, waitForHealth } from './support';

const BUDGET_MIB = 150;

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function descendants(pid: number): Promise<number[]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => ''))
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const nested = await Promise.all(children.map(descendants));
  return [...children, ...nested.flat()];
}

async function postgresRssKiB(dataDir: string): Promise<number> {
  const pid = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const all = [pid, ...(await descendants(pid))];
  return (await Promise.all(all.map((p) => rssKiB(p).catch(() => 0)))).reduce((a, b) => a + b, 0);
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-bench-rss-'));
  const [port, basePort] = await Promise.all([freePort(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_EMBEDDED_PG_PORT: String(await freePort()),
  };
  delete env.DATABASE_URL;

  const baseline = spawn(
    process.execPath,
    ['-e', `require('http').createServer((q, s) => s.end('ok')).listen(${basePort})`],
    { stdio: 'ignore' },
  );
  // What `npm start` runs (scripts/start.sh sets the same NODE_OPTIONS and MALLOC_ARENA_MAX).
  const panel = await startPanel({
    env: { ...env, NODE_OPTIONS: '--max-semi-space-size=1', MALLOC_ARENA_MAX: '2' },
    port,
    timeoutMs: 60_000,
  }).catch((error: unknown) => {
    baseline.kill('SIGTERM');
    throw error;
  });
  try {
    await waitForHealth(`http://127.0.0.1:${basePort}/`, baseline);
    for (let i = 0; i < 20; i += 1) {
      await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.text());
      await fetch(`http://127.0.0.1:${basePort}/`).then((r) => r.text());
    }
    await sleep(10_000); // idle
    const nodePids: number[] = [];
    for (const p of [panel.pid!, ...(await descendants(panel.pid!))])
      if (!(await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => 'postgres')).includes('postgres'))
        nodePids.push(p);
    const panelKiB = (await Promise.all(nodePids.map(rssKiB))).reduce((a, b) => a + b, 0);
    const pgKiB = await postgresRssKiB(dataDir);
    const baseKiB = await rssKiB(baseline.pid!);
    const mib = (k: number) => (k / 1024).toFixed(1);
    console.log(`panel idle RSS (node processes): ${mib(panelKiB)} MiB   budget ${BUDGET_MIB} MiB`);
    console.log(`embedded PostgreSQL RSS (all its processes, shared pages counted per process): ${mib(pgKiB)} MiB`);
    console.log(`baseline: bare Node http server: ${mib(baseKiB)} MiB`);
    console.log(`panel / baseline: ${(panelKiB / baseKiB).toFixed(2)}x`);
  } finally {
    await stopProcess(panel);
    baseline.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
