// A private repository through the real pipeline: the application's access token (encrypted in
// git_sources.webhook_config) is what lets git fetch, it reaches git only through the environment, and it appears
// in no log line. Without it the deployment fails with a reason that says what to do. (Build only: the app has no
// health check or port to wait for.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { encryptField } from '@/lib/git-sources/config';
import { BASE_IMAGE } from '@/lib/swarm/test-support';

import { newApplication } from './testing/fixtures';
import { startPipelineRig, type PipelineRig } from './testing/rig';

const TOKEN = 'glpat-private-token-0123456789abcdef';
let rig: PipelineRig;
let appId: string;

/** Ciphertexts of the tokens the tests store, made once in beforeAll. */
const storedTokens = new Map<string, string>();
const setToken = (token: string | null) =>
  rig.system((tx) =>
    tx.gitSource.update({
      where: { applicationId: appId },
      data: { webhookConfig: token ? { deploy_token: storedTokens.get(token)! } : {} },
    }),
  );

beforeAll(async () => {
  rig = await startPipelineRig({ git: { token: TOKEN } });
  appId = await newApplication(rig.test, rig.owner);
  rig.apps.push(
    await rig.system(async (tx) => {
      const row = await tx.application.update({
        where: { id: appId },
        data: {
          type: 'git',
          replicas: 1,
          sourceConfig: { repository: rig.git.httpUrl, branch: 'main', dockerfile: 'Dockerfile', build_context: '.' },
          dockerConfig: {},
        },
        select: { id: true, projectId: true },
      });
      await tx.gitSource.create({
        data: { applicationId: appId, provider: 'gitlab', repository: rig.git.httpUrl, branch: 'main' },
      });
      return row;
    }),
  );
  for (const token of [TOKEN, 'wrong-token']) storedTokens.set(token, await encryptField('deploy_token', token));
  await rig.git.commit(
    { Dockerfile: `FROM ${BASE_IMAGE}\nCMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]\n` },
    'private v1',
  );
}, 60_000);

afterAll(async () => {
  await rig?.stop();
}, 120_000);

describe('a private repository', () => {
  it('fails without credentials, saying what to do, and with a wrong token, never showing it', async () => {
    await setToken(null);
    const none = await rig.deploy(appId);
    expect(none.status).toBe('failed');
    expect(String((none.metadata as Record<string, unknown>).reason)).toMatch(/credentials/i);

    await setToken('wrong-token');
    const wrong = await rig.deploy(appId);
    expect(wrong.status).toBe('failed');
    expect(JSON.stringify(wrong)).not.toContain('wrong-token');
  }, 180_000);

  it('deploys with the source’s access token, which appears in no log line', async () => {
    await setToken(TOKEN);
    const done = await rig.deploy(appId);
    expect(done.status, String(done.logs)).toBe('success');
    expect(done.commitSha).toMatch(/^[0-9a-f]{40}$/);
    const lines = await rig.test.systemPool.query<{ message: string }>(
      'SELECT message FROM deployment_logs WHERE deployment_id = $1',
      [done.id],
    );
    const everything = `${done.logs}\n${lines.rows.map((row) => row.message).join('\n')}\n${JSON.stringify(done.metadata)}`;
    const basic = Buffer.from(`oauth2:${TOKEN}`).toString('base64');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(basic);
    // The server saw the token as HTTP Basic auth.
    expect(rig.git.authorizations.some((value) => value.includes(basic))).toBe(true);
  }, 180_000);
});
