import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rotateTokens } from '../../src/app/rotation/rotate-tokens';
import type { RotationStep } from '../../src/app/rotation/rotation-command';
import { RotationStateError } from '../../src/app/rotation/rotation-errors';
import { type RotateTokensResult, rotateTokensHandler } from '../../src/lambda/rotate-tokens-handler';
import { coreApi, found } from '../support/kube-clients';
import { kubeconfigText, rotationScenario, sandboxRotationDeps, stagesOf, whoami } from '../support/rotation';
import { sandbox } from '../support/sandbox';

/** A Secrets Manager rotation, step by step, as Secrets Manager invokes the function. */
async function setUp() {
  const s = rotationScenario();
  const deps = sandboxRotationDeps(s.config);
  await rotateTokens(deps)({ kind: 'schedule', why: 'first kubeconfig' });
  const { arn } = (await deps.secrets.describe(s.secretName)) ?? { arn: '' };
  const handle = rotateTokensHandler(() => deps, { addMetric: () => undefined } as never);
  const step = (Step: RotationStep, ClientRequestToken: string) =>
    handle({ Step, SecretId: arn, ClientRequestToken }) as Promise<RotateTokensResult & { status: string }>;
  const env = sandbox();
  const admin = coreApi(env.kube.adminToken, env);
  const boundSecret = (versionId: string) =>
    found(
      admin.readNamespacedSecret({ name: `eks-access-sync-${s.user}-${versionId}`, namespace: s.namespace }),
    );
  return { s, step, boundSecret };
}

const currentOf = (stages: Record<string, string[]>) =>
  Object.keys(stages).find((v) => stages[v]?.includes('AWSCURRENT'));

describe('the Secrets Manager rotation steps on the sandbox', () => {
  it('each step, called twice, does its work once and follows the protocol', async () => {
    // Prepare
    const { s, step, boundSecret } = await setUp();
    const token = randomUUID();
    const original = currentOf(await stagesOf(s.secretName));
    const originalText = await kubeconfigText(s.secretName);

    // Act + Assess: createSecret stages a new kubeconfig AWSPENDING, once.
    expect((await step('createSecret', token)).status).toBe('done');
    const pending = await kubeconfigText(s.secretName, { versionId: token });
    expect((await step('createSecret', token)).status).toBe('already done');
    expect(await kubeconfigText(s.secretName, { versionId: token })).toBe(pending);
    expect((await stagesOf(s.secretName))[token]).toEqual(['AWSPENDING']);
    expect(currentOf(await stagesOf(s.secretName))).toBe(original);
    expect(await boundSecret(token)).toBeDefined();

    // setSecret and testSecret change nothing, however often they run.
    for (const name of ['setSecret', 'setSecret', 'testSecret', 'testSecret'] as const) {
      expect((await step(name, token)).status).toBe('done');
    }
    expect((await stagesOf(s.secretName))[token]).toEqual(['AWSPENDING']);
    expect(await kubeconfigText(s.secretName)).toBe(originalText);

    // finishSecret promotes it; the old version becomes AWSPREVIOUS; a second call is a no-op.
    expect((await step('finishSecret', token)).status).toBe('done');
    const finished = await stagesOf(s.secretName);
    expect(await step('finishSecret', token)).toMatchObject({ status: 'already done', revoked: 0 });
    expect(await stagesOf(s.secretName)).toEqual(finished);
    expect(finished[token]).toEqual(['AWSCURRENT']);
    expect(finished[original ?? '']).toEqual(['AWSPREVIOUS']);
    expect(await kubeconfigText(s.secretName)).toBe(pending);
    expect(await whoami(pending)).toBe(`system:serviceaccount:${s.namespace}:${s.user}`);
    expect(await whoami(originalText)).toBe(`system:serviceaccount:${s.namespace}:${s.user}`);

    // Steps of a finished rotation, called late, leave it as it is.
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) {
      expect((await step(name, token)).status).toBe('already done');
    }
    expect(await stagesOf(s.secretName)).toEqual(finished);
  });

  it('fails a step that has nothing to continue, and leaves AWSCURRENT alone', async () => {
    // Prepare
    const { s, step } = await setUp();
    const stages = await stagesOf(s.secretName);
    const current = currentOf(stages) ?? '';

    // Act + Assess: a step for a version createSecret never made.
    for (const name of ['setSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(step(name, randomUUID())).rejects.toThrow(RotationStateError);
    }
    // createSecret for the version that is AWSCURRENT already: nothing to do.
    expect((await step('createSecret', current)).status).toBe('already done');
    expect(await stagesOf(s.secretName)).toEqual(stages);
  });

  it('refuses to continue with a version that is no longer AWSPENDING', async () => {
    // Prepare: two rotations; the first one's version is AWSPREVIOUS now.
    const { s, step } = await setUp();
    const older = currentOf(await stagesOf(s.secretName)) ?? '';
    const newer = randomUUID();
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)
      await step(name, newer);

    // Act
    const late = step('finishSecret', older);

    // Assess
    await expect(late).rejects.toThrow(/is AWSPREVIOUS, not AWSPENDING; finishSecret does not continue it/);
    expect(currentOf(await stagesOf(s.secretName))).toBe(newer);
  });
});
