import { describe, expect, it } from 'vitest';
import {
  type RotateTokensSummary,
  rotateTokens,
  type StepSummary,
} from '../../../src/app/rotation/rotate-tokens';
import { UnknownExternalUserError } from '../../../src/app/rotation/rotation-errors';
import { parseKubeconfig } from '../../../src/domain/rotation/kubeconfig';
import { configText, fakeDeps } from './fakes';

const secretName = 'eks-access-sync/prod-east/partner-ci';
const schedule = { kind: 'schedule', why: 'schedule' } as const;
const forced = { kind: 'manual', user: 'partner-ci', force: true, why: 'manual' } as const;

async function run(
  fake: ReturnType<typeof fakeDeps>,
  command: Parameters<ReturnType<typeof rotateTokens>>[0],
) {
  return (await rotateTokens(fake.deps)(command)) as RotateTokensSummary;
}

describe('rotateTokens on a schedule', () => {
  it('issues the first kubeconfig, then leaves it until less than rotateBefore is left', async () => {
    // Prepare
    const fake = fakeDeps();

    // Act
    const first = await run(fake, schedule);
    fake.advance(15);
    const early = await run(fake, schedule);
    fake.advance(2);
    const due = await run(fake, schedule);

    // Assess
    expect(first.users).toEqual([
      expect.objectContaining({
        status: 'issued',
        expiresAt: '2026-11-23T10:00:00.000Z',
        secret: secretName,
      }),
    ]);
    expect(early.users[0]).toMatchObject({ status: 'unchanged', expiresAt: '2026-11-23T10:00:00.000Z' });
    expect(due.users[0]).toMatchObject({ status: 'rotated', reason: '7h left, less than rotateBefore 8h' });
    expect(due.soonestExpiry).toBe('2026-11-24T03:00:00.000Z');
    const stages = (await fake.secrets.describe(secretName))?.stages;
    expect(stages).toEqual({
      '00000000-0000-4000-8000-000000000001': ['AWSPREVIOUS'],
      '00000000-0000-4000-8000-000000000002': ['AWSCURRENT'],
    });
  });

  it('keeps at most two valid tokens: the third rotation revokes the first token', async () => {
    // Prepare
    const fake = fakeDeps();
    await run(fake, schedule);
    const firstToken = await currentToken(fake);

    // Act
    await run(fake, forced);
    const stillValid = await fake.cluster.validTokens();
    const third = await run(fake, forced);

    // Assess
    expect(stillValid).toContain(firstToken);
    expect(third.users[0]).toMatchObject({ status: 'rotated', revoked: 1 });
    expect(await fake.cluster.validTokens()).not.toContain(firstToken);
    expect(await fake.cluster.validTokens()).toHaveLength(2);
  });

  it('warns when the cluster grants a shorter token than asked, and uses the real expiry', async () => {
    // Prepare: EKS caps ServiceAccount tokens at 24h whatever is asked.
    const fake = fakeDeps(configText.replace('tokenLifetime: 24h', 'tokenLifetime: 72h'));
    fake.cluster.maxLifetime = 24 * 3600;

    // Act
    const summary = await run(fake, schedule);

    // Assess
    expect(summary.users[0]?.warnings).toEqual([
      'asked for a 72h token, the cluster granted 24h; expires 2026-11-23T10:00:00.000Z',
    ]);
    expect(summary.users[0]?.expiresAt).toBe('2026-11-23T10:00:00.000Z');
    expect((await currentKubeconfig(fake)).record.expiresAt).toBe('2026-11-23T10:00:00.000Z');
  });

  it('leaves AWSCURRENT as it was and revokes the new token when the test step fails', async () => {
    // Prepare: TokenRequest hands out a token for the wrong ServiceAccount.
    const fake = fakeDeps();
    await run(fake, schedule);
    const before = await fake.secrets.describe(secretName);
    const token = await currentToken(fake);
    fake.cluster.tokenFor = () => 'system:serviceaccount:kube-system:default';

    // Act
    const summary = await run(fake, forced);

    // Assess
    expect(summary.users[0]).toMatchObject({ status: 'error' });
    expect(summary.users[0]?.reason).toMatch(
      /testSecret .* authenticates as system:serviceaccount:kube-system:default/,
    );
    expect((await fake.secrets.describe(secretName))?.stages).toEqual({
      ...before?.stages,
      '00000000-0000-4000-8000-000000000002': [],
    });
    expect(await fake.cluster.validTokens()).toEqual([token]);
  });

  it('offboards a user removed from the config and leaves other clusters alone', async () => {
    // Prepare
    const fake = fakeDeps();
    await run(fake, schedule);
    const token = await currentToken(fake);
    fake.deps.config = { ...fake.deps.config, externalUsers: [] };

    // Act
    const summary = await run(fake, schedule);

    // Assess
    expect(summary.offboarded).toEqual([
      {
        cluster: 'prod-east',
        status: 'offboarded',
        serviceAccounts: ['external-access/partner-ci'],
        secrets: [secretName],
      },
    ]);
    expect(await fake.cluster.validTokens()).not.toContain(token);
    expect((await fake.secrets.describe(secretName))?.deleted).toBe(true);
  });

  it('brings back an offboarded user with a restored secret and a working token', async () => {
    const fake = fakeDeps();
    const config = fake.deps.config;
    await run(fake, schedule);
    fake.deps.config = { ...config, externalUsers: [] };
    await run(fake, schedule);
    fake.deps.config = config;

    const summary = await run(fake, schedule);

    expect(summary.users[0]).toMatchObject({
      status: 'rotated',
      reason: 'the ServiceAccount was deleted and created again',
    });
    expect(await fake.cluster.validTokens()).toEqual([await currentToken(fake)]);
  });
});

describe('rotateTokens by hand', () => {
  it('refuses a user or a cluster that is not in the config', async () => {
    const fake = fakeDeps();
    await expect(run(fake, { ...forced, user: 'nobody' })).rejects.toThrow(UnknownExternalUserError);
    await expect(run(fake, { ...forced, cluster: 'dev' })).rejects.toThrow(
      /partner-ci has no kubeconfig on cluster dev/,
    );
  });
});

describe('the Secrets Manager rotation steps', () => {
  const step = (s: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret', versionId: string) =>
    ({
      kind: 'step',
      step: s,
      secretId: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secretName}-AbCdEf`,
      versionId,
      why: s,
    }) as const;

  it('each does its work once and, called again, changes nothing', async () => {
    // Prepare
    const fake = fakeDeps();
    await run(fake, schedule);
    const v = '4f2a9c1e-7b3d-4e8a-9f10-2c6d5e7a8b90';
    const results: string[] = [];

    // Act
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      for (let i = 0; i < 2; i++) {
        const done = (await rotateTokens(fake.deps)(step(name, v))) as StepSummary;
        results.push(`${name} ${done.status}`);
      }
    }

    // Assess
    expect(results).toEqual([
      'createSecret done',
      'createSecret already done',
      'setSecret done',
      'setSecret done',
      'testSecret done',
      'testSecret done',
      'finishSecret done',
      'finishSecret already done',
    ]);
    expect(fake.secrets.calls.filter((c) => c.startsWith('put') || c.startsWith('move'))).toEqual([
      `put ${v} AWSPENDING`,
      `move AWSCURRENT ${v}`,
    ]);
    expect((await fake.secrets.describe(secretName))?.stages[v]).toEqual(['AWSCURRENT']);
  });

  it('refuses to promote a pending version whose token was revoked meanwhile', async () => {
    const fake = fakeDeps();
    await run(fake, schedule);
    const v = '4f2a9c1e-7b3d-4e8a-9f10-2c6d5e7a8b90';
    await rotateTokens(fake.deps)(step('createSecret', v));
    fake.cluster.bound.clear();

    await expect(rotateTokens(fake.deps)(step('finishSecret', v))).rejects.toThrow(
      /is gone, so its token is revoked/,
    );
    expect((await fake.secrets.describe(secretName))?.stages[v]).toEqual(['AWSPENDING']);
  });

  it('refuses a secret the tool did not make', async () => {
    const fake = fakeDeps();
    await fake.secrets.create('db-password', 'x', 'v1', {});
    await expect(
      rotateTokens(fake.deps)({ ...step('createSecret', 'v2'), secretId: 'db-password' }),
    ).rejects.toThrow(/was not made by eks-access-sync/);
  });
});

async function currentKubeconfig(fake: ReturnType<typeof fakeDeps>) {
  const secret = await fake.secrets.describe(secretName);
  const id = Object.keys(secret?.stages ?? {}).find((v) => secret?.stages[v]?.includes('AWSCURRENT')) ?? '';
  return parseKubeconfig((await fake.secrets.value(secretName, id)) ?? '');
}

async function currentToken(fake: ReturnType<typeof fakeDeps>) {
  return (await currentKubeconfig(fake)).token;
}
