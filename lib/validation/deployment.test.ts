import { describe, expect, it } from 'vitest';

import { deploymentRefSchema, triggerDeploymentSchema } from './deployment';
import { STALE } from './ids';

const P = '11111111-1111-4111-8111-111111111111';
const A = '22222222-2222-4222-8222-222222222222';
const D = '33333333-3333-4333-8333-333333333333';
// What the buttons' hidden fields send: formValues gives '' for a field the form has not got.
const sent = (fields: Record<string, string>) => ({
  kind: '',
  projectId: P,
  applicationId: A,
  deploymentId: '',
  ...fields,
});

describe('triggerDeploymentSchema', () => {
  it.each([
    ['deploy', sent({ kind: 'deploy' }), { kind: 'deploy', projectId: P, applicationId: A }],
    ['redeploy', sent({ kind: 'redeploy' }), { kind: 'redeploy', projectId: P, applicationId: A }],
    [
      'rollback',
      sent({ kind: 'rollback', deploymentId: D }),
      { kind: 'rollback', projectId: P, applicationId: A, deploymentId: D },
    ],
  ])('accepts %s', (_, input, output) => {
    expect(triggerDeploymentSchema.parse(input)).toEqual(output);
  });

  it.each([
    ['an unknown kind', sent({ kind: 'destroy' })],
    ['no kind', sent({})],
    ['a rollback without its target', sent({ kind: 'rollback' })],
    ['a rollback to a malformed id', sent({ kind: 'rollback', deploymentId: 'latest' })],
    ['a malformed application id', sent({ kind: 'deploy', applicationId: "1' OR '1'='1" })],
    ['a malformed project id', sent({ kind: 'redeploy', projectId: '' })],
  ])('refuses %s as a stale page', (_, input) => {
    const parsed = triggerDeploymentSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toContain(STALE);
  });
});

describe('deploymentRefSchema', () => {
  it('needs all three ids', () => {
    expect(deploymentRefSchema.safeParse({ projectId: P, applicationId: A, deploymentId: D }).success).toBe(true);
    expect(deploymentRefSchema.safeParse({ projectId: P, applicationId: A, deploymentId: '' }).success).toBe(false);
  });
});
