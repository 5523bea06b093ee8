import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import { type RotateTokensSummary, rotateTokens } from '../../src/app/rotation/rotate-tokens';
import type { RotationCommand } from '../../src/app/rotation/rotation-command';
import { InvalidConfigError } from '../../src/domain/errors';
import { readEnvironment } from '../../src/wiring/environment';
import { rotateTokensDeps } from '../../src/wiring/rotate-tokens-deps';
import { readRuntime } from '../../src/wiring/runtime';
import { secretsManagerClient } from '../support/aws-clients';
import { configFile } from '../support/rotation';
import { uniqueName } from '../support/sandbox';

const schedule: RotationCommand = { kind: 'schedule', why: 'schedule' };
const partnerRole = 'arn:aws:iam::210987654321:role/partner-ci-reader';
const auditorRole = 'arn:aws:iam::555566667777:role/audit/reader';

/**
 * Cross-account readers on the sandbox's moto. moto stores a secret's resource policy but does not
 * enforce it (nor any IAM policy) across accounts, and has no ValidateResourcePolicy: these tests
 * assert the policy document moto holds for each secret, which is what AWS would enforce.
 */
function scenario() {
  const cluster = uniqueName('readers');
  const reader = uniqueName('partner');
  const other = uniqueName('internal');
  const [readerNs, otherNs] = [uniqueName('ext'), uniqueName('ext')];
  const config = (readers: string[]) => `
clusters:
  - name: ${cluster}
    region: us-east-1
externalUsers:
  - name: ${reader}
    clusterRole: system:aggregate-to-view
    namespace: ${readerNs}
    readers: ${JSON.stringify(readers)}
  - name: ${other}
    clusterRole: system:aggregate-to-view
    namespace: ${otherNs}
`;
  return {
    config,
    readerSecret: `eks-access-sync/${cluster}/${reader}`,
    otherSecret: `eks-access-sync/${cluster}/${other}`,
  };
}

function deps(configText: string, kmsKeyId?: string, envFile: string = inject('sandboxEnvFile')) {
  return rotateTokensDeps(
    readRuntime(
      readEnvironment({
        ACCESS_CONFIG_PATH: configFile(configText),
        SANDBOX_ENV_FILE: envFile,
        ...(kmsKeyId ? { SECRETS_KMS_KEY_ID: kmsKeyId } : {}),
      }),
    ),
  );
}

/** This run's sandbox as a stage without a customer-managed key: its env.json minus the sandbox's key. */
function keylessSandbox(): string {
  const env = JSON.parse(readFileSync(inject('sandboxEnvFile'), 'utf8'));
  delete env.aws.kmsKeyArn;
  const file = join(mkdtempSync(join(tmpdir(), 'keyless-')), 'env.json');
  writeFileSync(file, JSON.stringify(env), { mode: 0o600 });
  return file;
}

async function policyOf(secret: string) {
  const got = await secretsManagerClient().send(new GetResourcePolicyCommand({ SecretId: secret }));
  return { arn: got.ARN, policy: got.ResourcePolicy ? JSON.parse(got.ResourcePolicy) : undefined };
}

describe('readers: a secret resource policy kept to the config (moto)', () => {
  it('grants each reader its user secret only, the read actions only, and revokes a removed reader', async () => {
    // Prepare: the stage's customer-managed key. moto's Secrets Manager records the key id without
    // asking KMS (and the project has no KMS client), so a well-formed key ARN stands for it.
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab';
    const s = scenario();

    // Act
    const first = (await rotateTokens(deps(s.config([partnerRole, auditorRole]), keyArn))(
      schedule,
    )) as RotateTokensSummary;
    const granted = await policyOf(s.readerSecret);
    const untouched = await policyOf(s.otherSecret);
    const narrowed = (await rotateTokens(deps(s.config([auditorRole]), keyArn))(
      schedule,
    )) as RotateTokensSummary;
    const afterRemoval = await policyOf(s.readerSecret);
    await rotateTokens(deps(s.config([]), keyArn))(schedule);
    const emptied = await policyOf(s.readerSecret);

    // Assess
    expect(first.users.map((u) => [u.secret, u.status, u.readers?.policy])).toEqual([
      [s.readerSecret, 'issued', 'updated'],
      [s.otherSecret, 'issued', 'unchanged'],
    ]);
    expect(granted.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EksAccessSyncReaders',
          Effect: 'Allow',
          Principal: { AWS: [partnerRole, auditorRole].sort() },
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: granted.arn,
        },
      ],
    });
    expect(untouched.policy).toBeUndefined();
    expect(narrowed.users[0]).toMatchObject({ status: 'unchanged', readers: { policy: 'updated' } });
    expect(afterRemoval.policy.Statement[0].Principal).toEqual({ AWS: [auditorRole] });
    expect(emptied.policy).toBeUndefined();
  });

  it('refuses readers when the stage has no customer-managed key, before anything is written', () => {
    // Prepare
    const s = scenario();

    // Act + Assess
    const stage = keylessSandbox();
    expect(() => deps(s.config([partnerRole]), undefined, stage)).toThrow(InvalidConfigError);
    expect(() => deps(s.config([partnerRole]), undefined, stage)).toThrow(
      /aws\/secretsmanager cannot be read from another account/,
    );
  });
});
