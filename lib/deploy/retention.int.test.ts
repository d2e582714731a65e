// Image retention on real parts: with keepImages N, the images of the latest N successful deployments stay (so a
// rollback never rebuilds) and older Slipway-built images of the application are pruned; an image without our
// labels is never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { imageRepo } from '@/lib/swarm';
import { BASE_IMAGE } from '@/lib/swarm/test-support';

import type { EnqueueInput } from './queue';
import { newGitApp, startPipelineRig, type PipelineRig } from './testing/rig';

let rig: PipelineRig;
let app: { id: string; projectId: string };
const foreignTag = `${imageRepo('00000000-0000-4000-8000-00000000beef')}:not-ours-${process.pid}`;

const deployAndWait = (input: Partial<EnqueueInput> = {}) => rig.deploy(app.id, input);
const ourTags = async () =>
  (await rig.docker.listImages({ filters: { reference: [`${imageRepo(app.id)}`] } }))
    .flatMap((image) => image.RepoTags ?? [])
    .sort();

beforeAll(async () => {
  rig = await startPipelineRig({ pipeline: { keepImages: 2 } });
  app = await newGitApp(rig);
  // An image in our repository's name but without our labels: retention must not see it.
  const [repo, tag] = foreignTag.split(':') as [string, string];
  await rig.docker.getImage(BASE_IMAGE).tag({ repo, tag });
}, 60_000);

afterAll(async () => {
  await rig?.docker
    .getImage(foreignTag)
    .remove()
    .catch(() => undefined);
  await rig?.stop();
}, 120_000);

describe('image retention', () => {
  it('keeps the images of the last N successful deployments, prunes older ones, and rolls back without a build', async () => {
    const images: string[] = [];
    for (const version of ['one', 'two', 'three']) {
      // Stops at once on SIGTERM, as a well-behaved app does; one that ignores it holds its image for the stop grace
      // period, and its image goes with a later prune.
      const cmd = `CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;
      await rig.git.commit({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${version} > /version\n${cmd}\n` }, version);
      const done = await deployAndWait();
      expect(done.status, String(done.logs)).toBe('success');
      images.push(String((done.metadata as Record<string, unknown>).image));
    }
    expect(new Set(images).size).toBe(3);
    // The first image goes once no stopping task holds it (at the end of a later deployment or the start of the
    // next); the last two stay whatever happens.
    const tags = await ourTags();
    expect(tags).toEqual(expect.arrayContaining([images[1], images[2]]));
    expect(tags.length).toBeLessThanOrEqual(3);

    // A rollback to the previous deployment's image: no checkout, no build.
    const rolledBack = await deployAndWait({ image: images[1], trigger: 'rollback' });
    expect(rolledBack.status).toBe('success');
    expect(rolledBack.logs).toContain(`Rolling back to ${images[1]} (no build)`);
    expect(rolledBack.logs).not.toContain('Checked out');
    const [service] = await rig.docker.listServices({ filters: { label: [`slipway.application=${app.id}`] } });
    const template = service?.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined;
    expect(template?.ContainerSpec?.Image).toBe(images[1]);
    // Exactly the two kept images remain, and the unlabelled image of a lookalike name is untouched.
    expect(await ourTags()).toEqual([images[1], images[2]].sort());
    expect((await rig.docker.getImage(foreignTag).inspect()).RepoTags).toContain(foreignTag);
  }, 300_000);
});
