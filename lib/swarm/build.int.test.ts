// Image builds against the real engine: streaming, cache detection, failures and cancellation.
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';

import { buildImage } from './build';
import { connectDocker } from './client';
import { EngineError } from './errors';
import { imageRef, labelsFor } from './names';
import { BASE_IMAGE, cleanupApps, httpAppDockerfile, makeContext, removeDir, testApp } from './test-support';

const docker = connectDocker();
const app = testApp('build');
const labels = labelsFor(app);
const dirs: string[] = [];

async function context(files: Record<string, string>) {
  const dir = await makeContext(files);
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await cleanupApps(docker, [app]);
  for (const dir of dirs) await removeDir(dir);
}, 60_000);

/** Creates /tmp/go in the running build step whose command names `gate` (the step is waiting for it). */
async function openGate(gate: string): Promise<void> {
  // The engine may still list the step as 'created' when its first line has already come: wait until it says running.
  let step: Docker.ContainerInfo | undefined;
  for (const deadline = Date.now() + 30_000; !step; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const waiting = (await docker.listContainers({ all: true })).filter((container) =>
      container.Command.includes(gate),
    );
    step = waiting.find((container) => container.State === 'running');
    if (
      !step &&
      (waiting.length === 0 || waiting.some((container) => container.State === 'exited') || Date.now() > deadline)
    ) {
      throw new Error(
        `no running build step waits on ${gate} (${JSON.stringify(waiting.map((c) => c.State))}): the first line came after it ended`,
      );
    }
  }
  const exec = await docker.getContainer(step.Id).exec({ Cmd: ['touch', '/tmp/go'] });
  const stream = await exec.start({});
  await new Promise((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.resume();
  });
}

describe('buildImage', () => {
  it('streams lines while building, labels the image, and reports a cache hit on the second build', async () => {
    // The step prints a line, then waits until the test creates /tmp/go inside the step's container.
    const gate = `gate-${app.id.slice(0, 8)}`;
    const dir = await context({
      Dockerfile: `${httpAppDockerfile('v1')}\nRUN echo first-line; while ! test -e /tmp/go; do sleep 0.1; done; echo ${gate} second-line`,
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
    const seen: string[] = [];
    const opening: Promise<void>[] = [];
    // A gate that cannot be opened cancels the build, so the test fails with its reason instead of hanging.
    const controller = new AbortController();
    let gateError: unknown;
    const tag = imageRef(app.id, 'v1');
    const first = await buildImage(docker, {
      context: { dir },
      tag,
      labels,
      signal: controller.signal,
      onLine: (line) => {
        seen.push(line);
        // Lines arrive as the build produces them: the step that printed this one can only end once we open it.
        if (line === 'first-line' && opening.length === 0) {
          opening.push(
            openGate(gate).catch((error: unknown) => {
              gateError = error;
              controller.abort();
            }),
          );
        }
      },
    }).catch((error: unknown) => {
      throw gateError ?? error;
    });
    expect(opening).toHaveLength(1);
    await Promise.all(opening);
    expect(seen.indexOf('first-line')).toBeLessThan(seen.indexOf(`${gate} second-line`));
    expect(first).toMatchObject({ tag, cacheHit: false });
    expect(first.sizeMb).toBeGreaterThan(0);

    const image = await docker.getImage(tag).inspect();
    expect(image.Id).toBe(first.imageId);
    expect(image.Config.Labels).toMatchObject(labels);

    const lines: string[] = [];
    const second = await buildImage(docker, { context: { dir }, tag, labels, onLine: (line) => lines.push(line) });
    expect(second).toMatchObject({ imageId: first.imageId, cacheHit: true });
    expect(lines).toContain(' ---> Using cache');
  }, 120_000);

  it('leaves .git out of the context and builds from a generated Dockerfile', async () => {
    const dir = await context({ '.git/HEAD': 'secret\n', 'app.txt': 'hello\n' });
    const dockerfileText = `FROM ${BASE_IMAGE}\nCOPY . /src\nRUN ls -a /src && test ! -e /src/.git && cat /src/app.txt`;
    const lines: string[] = [];
    await buildImage(docker, {
      context: { dir, dockerfileText },
      tag: imageRef(app.id, 'gen'),
      labels,
      onLine: (line) => lines.push(line),
    });
    expect(lines).toContain('hello');
    expect(lines).not.toContain('.git');

    const only = await buildImage(docker, {
      context: { dockerfileText: `FROM ${BASE_IMAGE}\nRUN echo only-a-dockerfile` },
      tag: imageRef(app.id, 'text'),
      labels,
      onLine: () => {},
    });
    expect(only.tag).toBe(imageRef(app.id, 'text'));
  }, 120_000);

  it('fails with build_failed and the output when a step fails, with stderr marked', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo about-to-fail && echo broken >&2 && false` });
    const lines: { line: string; stream: string }[] = [];
    const error = await buildImage(docker, {
      context: { dir },
      tag: imageRef(app.id, 'broken'),
      labels,
      onLine: (line, stream) => lines.push({ line, stream }),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('build_failed');
    expect((error as EngineError).message).toMatch(/returned a non-zero code: 1/);
    // The engine wraps a step's stderr in ESC[91m … ESC[0m; lines keep the colour codes and stderr is marked.
    const plain = (line: string) => line.replace(/\u001b\[[0-9;]*m/g, '');
    expect((error as EngineError).lines.map(plain)).toContain('about-to-fail');
    expect((error as EngineError).message).toMatch(/Last output:[^]*about-to-fail/);
    expect((error as EngineError).message).not.toContain('\u001b');
    expect(lines.find((entry) => plain(entry.line) === 'broken')?.stream).toBe('stderr');
    expect(lines.find((entry) => plain(entry.line) === 'about-to-fail')?.stream).toBe('stdout');
  }, 120_000);

  it('refuses a symlink that points outside the context before contacting the engine', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}` });
    const { symlink } = await import('node:fs/promises');
    await symlink('/etc/passwd', `${dir}/passwd`);
    await expect(
      buildImage(docker, { context: { dir }, tag: imageRef(app.id, 'link'), labels, onLine: () => {} }),
    ).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/symlink passwd/),
    });
  });

  it('stops the build when cancelled, killing the running step', async () => {
    const marker = `marker-${app.id.slice(0, 8)}`;
    // A step far longer than the test's timeout: the build can only settle in time if the cancel stops it.
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${marker} && sleep 600` });
    const controller = new AbortController();
    let aborted = false;
    const error = await buildImage(docker, {
      context: { dir },
      tag: imageRef(app.id, 'slow'),
      labels,
      signal: controller.signal,
      onLine: (line) => {
        if (line === marker && !aborted) {
          aborted = true;
          controller.abort();
        }
      },
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'cancelled' });
    expect(aborted).toBe(true);

    // The engine cancels the build when the request goes away: the step's container does not live on.
    let running = true;
    for (let attempt = 0; attempt < 40 && running; attempt += 1) {
      const containers = await docker.listContainers({ all: true });
      running = containers.some((container) => container.Command.includes(marker));
      if (running) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(running).toBe(false);
    await expect(docker.getImage(imageRef(app.id, 'slow')).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 60_000);
});
