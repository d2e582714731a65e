// The deployment pipeline: what the worker runs for one deployment. Source → image → service, every step's output
// into the deployment's log (batched, streamed live), secrets decrypted only here and handed to the engine as data.
// A rollback carries its image and builds nothing; a docker application deploys its image reference as given.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type Docker from 'dockerode';

import type { Database } from '@/lib/db/connection';
import { asSystem } from '@/lib/db/context';
import { gitCredentialsOf, readWebhookConfig } from '@/lib/git-sources/config';
import { checkout, redact } from '@/lib/git/checkout';
import type { GitCredentials, GitProvider } from '@/lib/git/credentials';
import { cloneUrl } from '@/lib/git/repository-url';
import { decryptStored } from '@/lib/secrets/key-ring';
import { buildImage, deployService, imageLabelsFor, imageRef, pruneImages, type EngineApp } from '@/lib/swarm';
import type { DockerConfig } from '@/lib/validation/docker-config';

import { createLogSink, finishDeployment, type LogSink } from './log-sink';
import { composeDeployRefusal } from './triggers';
import type { DeploymentJob, Outcome, RunContext, RunDeployment } from './worker';

export type PipelineOptions = {
  db: Pick<Database, 'prisma' | 'pool'>;
  docker: Docker;
  /** Images of this many latest successful deployments are kept for rollbacks (default 5). */
  keepImages?: number;
  rolloutTimeoutMs?: number;
  monitorMs?: number;
  gitTimeoutMs?: number;
};

type Loaded = {
  /** The git source's provider and credentials (decrypted here, for git only). */
  git: { provider: GitProvider; credentials: GitCredentials } | null;
  app: {
    id: string;
    name: string;
    projectId: string;
    type: string;
    replicas: number;
    sourceConfig: Record<string, unknown>;
    dockerConfig: DockerConfig;
  };
  env: Record<string, string>;
  volumes: { name: string; mountPath: string; type: string }[];
  keepTags: string[];
};

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

async function load(db: PipelineOptions['db'], deployment: DeploymentJob, keep: number): Promise<Loaded> {
  return asSystem(db.prisma, async (tx) => {
    const app = await tx.application.findUniqueOrThrow({
      where: { id: deployment.applicationId },
      select: {
        id: true,
        name: true,
        projectId: true,
        type: true,
        replicas: true,
        sourceConfig: true,
        dockerConfig: true,
      },
    });
    const rows = await tx.envVar.findMany({
      where: { applicationId: app.id },
      select: { key: true, value: true, isSecret: true },
    });
    const env: Record<string, string> = {};
    for (const row of rows) env[row.key] = row.isSecret ? await decryptStored(row.value, 'env_vars.value') : row.value;
    const volumes = await tx.volume.findMany({
      where: { applicationId: app.id },
      select: { name: true, mountPath: true, type: true },
    });
    const recent = await tx.deployment.findMany({
      where: { applicationId: app.id, status: 'success' },
      orderBy: [{ completedAt: 'desc' }, { id: 'desc' }],
      take: keep,
      select: { metadata: true },
    });
    const source = await tx.gitSource.findUnique({
      where: { applicationId: app.id },
      select: { provider: true, webhookConfig: true },
    });
    const provider = (source?.provider ?? 'github') as GitProvider;
    const git = {
      provider,
      credentials: source ? await gitCredentialsOf(readWebhookConfig(source.webhookConfig), provider) : null,
    };
    const keepTags = recent
      .map((row) => text((row.metadata as Record<string, unknown>)?.image))
      .filter((tag): tag is string => Boolean(tag));
    return {
      git,
      app: {
        ...app,
        sourceConfig: (app.sourceConfig ?? {}) as Record<string, unknown>,
        dockerConfig: (app.dockerConfig ?? {}) as DockerConfig,
      },
      env,
      volumes,
      keepTags,
    };
  });
}

/** Builds the image of a git application at the deployment's commit (or its branch head); returns its reference. */
async function buildFromGit(
  options: PipelineOptions,
  loaded: Loaded,
  deployment: DeploymentJob,
  sink: LogSink,
  signal: AbortSignal,
) {
  const source = loaded.app.sourceConfig;
  const given = text(source.repository);
  if (!given) throw new Error('This application has no repository to build from: set one on its Source tab.');
  // owner/name becomes the provider's https address; a full address is fetched as given.
  const repository = cloneUrl(loaded.git?.provider ?? 'github', given);
  const ref = deployment.commitSha ?? text(source.branch) ?? 'main';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-build-'));
  try {
    sink.write('info', `Fetching ${ref} from ${redact(repository)}`);
    const { commitSha } = await checkout({
      repository,
      ref,
      dir,
      signal,
      credentials: loaded.git?.credentials ?? null,
      timeoutMs: options.gitTimeoutMs,
      onLine: (line) => sink.write('debug', line),
    });
    sink.write('info', `Checked out ${commitSha}`);
    const tag = imageRef(loaded.app.id, `${commitSha.slice(0, 12)}-${deployment.id.slice(0, 8)}`);
    // The edge refuses `..` in a build context; a row written some other way must still not reach outside the checkout.
    const context = path.resolve(dir, text(source.build_context) ?? '.');
    if (context !== dir && !context.startsWith(`${dir}${path.sep}`)) {
      throw new Error('The build context must be a folder inside the repository: fix it on the Source tab.');
    }
    const result = await buildImage(options.docker, {
      context: { dir: context },
      dockerfile: text(source.dockerfile) ?? 'Dockerfile',
      tag,
      labels: imageLabelsFor(loaded.app, deployment.id),
      onLine: (line, stream) => sink.write(stream === 'stderr' ? 'warn' : 'info', line),
      signal,
    });
    return { image: result.tag, commitSha, sizeMb: result.sizeMb, cacheHit: result.cacheHit };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes the application's Slipway-built images except `keepTags`. An image an old task's container still uses (it
 * is stopping, within its grace period) stays until the next deployment's prune. Never fails a deployment.
 */
async function prune(
  docker: Docker,
  appId: string,
  keepTags: string[],
  sink: LogSink,
  options: { quiet?: boolean } = {},
) {
  const pruned = await pruneImages(docker, appId, keepTags).catch((error: Error) => {
    sink.write('warn', `Old images could not be pruned: ${error.message}`);
    return null;
  });
  if (pruned?.removed.length) sink.write('info', `Pruned old images: ${pruned.removed.join(', ')}`);
  if (options.quiet) return;
  for (const failed of pruned?.failed ?? [])
    sink.write('debug', `Old image ${failed.ref} kept for now: ${failed.reason}`);
}

export function createPipeline(options: PipelineOptions): RunDeployment {
  const keep = options.keepImages ?? 5;
  return async (deployment: DeploymentJob, context: RunContext): Promise<Outcome> => {
    const started = Date.now();
    const sink = createLogSink(options.db.pool, deployment.id);
    const seconds = () => Math.round((Date.now() - started) / 1000);
    try {
      const loaded = await load(options.db, deployment, keep);
      // Images an earlier prune had to leave (an old task was still stopping) go now; the running one is kept.
      if (loaded.keepTags.length)
        await prune(
          options.docker,
          loaded.app.id,
          deployment.image ? [deployment.image, ...loaded.keepTags] : loaded.keepTags,
          sink,
          { quiet: true },
        );
      let image: string;
      const metadata: Record<string, unknown> = {};
      if (deployment.image) {
        image = deployment.image;
        sink.write('info', `Rolling back to ${image} (no build)`);
      } else if (loaded.app.type === 'git') {
        const built = await buildFromGit(options, loaded, deployment, sink, context.signal);
        image = built.image;
        Object.assign(metadata, {
          image_size_mb: built.sizeMb,
          build_cache_hit: built.cacheHit,
          commit_sha: built.commitSha,
        });
      } else if (loaded.app.type === 'docker') {
        const reference = text(loaded.app.sourceConfig.image);
        if (!reference) throw new Error('This application has no image: set one on its Source tab.');
        image = reference;
        sink.write('info', `Deploying image ${image}`);
      } else {
        // deployableApplication refuses to queue one; a deployment queued before that rule still ends plainly.
        const reason = composeDeployRefusal(loaded.app.sourceConfig);
        return { status: 'failed', reason, metadata: { duration_seconds: seconds() } };
      }
      metadata.image = image;
      await context.markDeploying(metadata);

      const engineApp: EngineApp = {
        id: loaded.app.id,
        name: loaded.app.name,
        projectId: loaded.app.projectId,
        image,
        replicas: loaded.app.replicas,
        env: loaded.env,
        dockerConfig: loaded.app.dockerConfig,
        volumes: loaded.volumes,
      };
      const result = await deployService(options.docker, engineApp, {
        onLine: (line) => sink.write('info', line),
        signal: context.signal,
        timeoutMs: options.rolloutTimeoutMs ?? 5 * 60_000,
        ...(options.monitorMs !== undefined ? { monitorMs: options.monitorMs } : {}),
      });
      const done = { ...metadata, duration_seconds: seconds() };
      if (result.outcome === 'success') {
        sink.write('info', `Deployed: ${loaded.app.name} is running ${image}`);
        // Keep the images of the latest successful deployments (and this one) for rollbacks; prune older ours.
        await prune(options.docker, loaded.app.id, [image, ...loaded.keepTags].slice(0, keep), sink);
        return { status: 'success', metadata: done };
      }
      sink.write('error', result.reason ?? `Rollout ended: ${result.outcome}`);
      return {
        status: result.outcome === 'rolled_back' ? 'rolled_back' : 'failed',
        reason: result.reason,
        metadata: done,
      };
    } catch (error) {
      if (context.signal.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      sink.write('error', reason);
      return { status: 'failed', reason, metadata: { duration_seconds: seconds() } };
    } finally {
      // The outcome is recorded either way; lines not written, or a log not copied to deployments.logs, are said here.
      await sink
        .close()
        .catch((error: unknown) =>
          console.error(`[slipway] deployment ${deployment.id}: its last log lines were not written`, error),
        );
      await finishDeployment(options.db.pool, deployment.id).catch((error: unknown) =>
        console.error(`[slipway] deployment ${deployment.id}: its log was not copied into deployments.logs`, error),
      );
    }
  };
}
