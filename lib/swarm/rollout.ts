// Waiting for a create or update to converge, told apart by what Swarm reports: UpdateStatus for an update (whose
// FailureAction rolls back on its own), the tasks for a first create (which has no UpdateStatus at all).
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import { EngineError } from './errors';

export type RolloutOutcome = 'success' | 'rolled_back' | 'failed';
export type RolloutResult = { outcome: RolloutOutcome; reason?: string };

export type SwarmTask = {
  ID: string;
  Slot?: number;
  CreatedAt: string;
  DesiredState: string;
  Status: {
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
};

export type UpdateStatus = { State?: string; StartedAt?: string; CompletedAt?: string; Message?: string };

export type RolloutWatch = {
  serviceId: string;
  replicas: number;
  kind: 'create' | 'update';
  /** StartedAt of the UpdateStatus seen before our update: a status with the same start is a stale one. */
  previousStartedAt?: string;
  /**
   * Tasks that existed before our change: their failures are not this rollout's. (A timestamp cannot tell: Swarm
   * bumps the service's UpdatedAt whenever it writes UpdateStatus or allocates, so it may postdate our new tasks.)
   */
  earlierTasks: ReadonlySet<string>;
  onLine: (line: string) => void;
  signal?: AbortSignal;
  timeoutMs: number;
  pollMs?: number;
};

// A service's task should run until Swarm stops it ('shutdown'); ending any other way is a failure. An unhealthy
// task is stopped with SIGTERM, so an app that exits cleanly on it ends 'complete', not 'failed'.
const ENDED_BADLY = new Set(['failed', 'rejected', 'complete', 'orphaned']);

function taskLabel(task: SwarmTask): string {
  return task.Slot !== undefined ? `task ${task.Slot}` : `task ${task.ID.slice(0, 12)}`;
}

/** Why a task ended: the container's last health check output when it was unhealthy, else Swarm's error. */
async function taskFailure(docker: Docker, task: SwarmTask): Promise<string> {
  const exit = task.Status.ContainerStatus?.ExitCode;
  const swarm =
    task.Status.Err || `${task.Status.Message || task.Status.State}${exit !== undefined ? ` (exit code ${exit})` : ''}`;
  const containerId = task.Status.ContainerStatus?.ContainerID;
  if (!containerId) return swarm;
  try {
    const container = await docker.getContainer(containerId).inspect();
    const health = container.State.Health as
      { Status?: string; Log?: { Output?: string; ExitCode?: number }[] } | undefined;
    if (health?.Status !== 'unhealthy') return swarm;
    const last = health.Log?.at(-1);
    const output = last?.Output?.trim().split('\n').slice(-3).join(' / ');
    return `health check failed${last?.ExitCode !== undefined ? ` (exit code ${last.ExitCode})` : ''}${output ? `: ${output}` : ''}`;
  } catch {
    return swarm; // the container is already gone
  }
}

export async function waitForRollout(docker: Docker, watch: RolloutWatch): Promise<RolloutResult> {
  const { onLine, signal } = watch;
  const deadline = Date.now() + watch.timeoutMs;
  const service = docker.getService(watch.serviceId);
  const reported = new Set<string>();
  let lastRunning = -1;
  let lastState: string | undefined;
  let lastFailure: string | undefined;
  let rollbackCause: string | undefined; // Swarm says why it rolls back when the rollback starts, not when it ends

  for (;;) {
    if (signal?.aborted)
      throw new EngineError('cancelled', 'Stopped waiting for the rollout; Swarm carries on with it.');
    const [inspected, tasks] = await Promise.all([
      service.inspect() as Promise<{ UpdateStatus?: UpdateStatus }>,
      docker.listTasks({ filters: { service: [watch.serviceId] } }) as Promise<SwarmTask[]>,
    ]);

    const running = tasks.filter((task) => task.DesiredState === 'running' && task.Status.State === 'running').length;
    if (running !== lastRunning) {
      onLine(`task ${Math.min(running, watch.replicas)}/${watch.replicas} running`);
      lastRunning = running;
    }
    for (const task of tasks) {
      if (!ENDED_BADLY.has(task.Status.State) || watch.earlierTasks.has(task.ID) || reported.has(task.ID)) continue;
      reported.add(task.ID);
      lastFailure = `${taskLabel(task)} ${task.Status.State === 'complete' ? 'stopped' : task.Status.State}: ${await taskFailure(docker, task)}`;
      onLine(lastFailure);
    }

    if (watch.kind === 'create' || watch.replicas === 0) {
      // Any failed task fails a first deploy, mirroring MaxFailureRatio 0 of updates: a crash is not a success.
      if (lastFailure) return { outcome: 'failed', reason: lastFailure };
      if (running >= watch.replicas) return { outcome: 'success' };
    } else {
      const status = inspected.UpdateStatus;
      const fresh = status?.State && status.StartedAt !== watch.previousStartedAt ? status : undefined;
      if (fresh && fresh.State !== lastState) {
        lastState = fresh.State;
        if (fresh.State === 'rollback_started') rollbackCause = fresh.Message;
        onLine(stateLine(fresh));
      }
      const why = lastFailure ?? rollbackCause ?? fresh?.Message;
      switch (fresh?.State) {
        case 'completed':
          if (running >= watch.replicas) return { outcome: 'success' };
          break;
        case 'rollback_completed':
          return {
            outcome: 'rolled_back',
            reason: `${why ?? 'The new version failed'}; Swarm rolled back to the previous version.`,
          };
        case 'paused':
        case 'rollback_paused':
          return { outcome: 'failed', reason: why ?? `The update is ${fresh.State.replace('_', ' ')}.` };
      }
    }

    if (Date.now() >= deadline) {
      const seconds = Math.round(watch.timeoutMs / 1000);
      return {
        outcome: 'failed',
        reason: `The rollout did not finish within ${seconds}s (${lastRunning}/${watch.replicas} tasks running${lastFailure ? `; ${lastFailure}` : ''}).`,
      };
    }
    // Aborting rejects the sleep; the loop then sees the signal. Anything else is a real error.
    await sleep(watch.pollMs ?? 500, undefined, { signal }).catch((error: unknown) => {
      if (!signal?.aborted) throw error;
    });
  }
}

function stateLine(status: UpdateStatus): string {
  const message = status.Message ? `: ${status.Message}` : '';
  switch (status.State) {
    case 'updating':
      return `update started${message}`;
    case 'completed':
      return `update completed${message}`;
    case 'rollback_started':
      return `rollback started${message}`;
    case 'rollback_completed':
      return `rollback completed${message}`;
    default:
      return `update ${String(status.State).replace('_', ' ')}${message}`;
  }
}
