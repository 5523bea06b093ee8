import {
  PutResourcePolicyCommand,
  SecretsManagerClient,
  ValidateResourcePolicyCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsStoreError, secretsStore } from '../../../src/adapters/secrets-store';

const secret = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:eks-access-sync/prod/partner-ci-AbCdEf';
const policy = '{"Version":"2012-10-17","Statement":[]}';

describe('secretsStore and resource policies', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());

  it('validates a policy with ValidateResourcePolicy, then puts it blocking public policies', async () => {
    // Prepare
    sm.on(ValidateResourcePolicyCommand).resolves({ PolicyValidationPassed: true });
    sm.on(PutResourcePolicyCommand).resolves({});

    // Act
    await secretsStore(new SecretsManagerClient({})).putResourcePolicy(secret, policy);

    // Assess
    expect(sm.commandCalls(ValidateResourcePolicyCommand)[0]?.args[0].input).toEqual({
      SecretId: secret,
      ResourcePolicy: policy,
    });
    expect(sm.commandCalls(PutResourcePolicyCommand)[0]?.args[0].input).toEqual({
      SecretId: secret,
      ResourcePolicy: policy,
      BlockPublicPolicy: true,
    });
  });

  it('refuses to put a policy that fails validation, naming the secret and the check', async () => {
    // Prepare
    sm.on(ValidateResourcePolicyCommand).resolves({
      PolicyValidationPassed: false,
      ValidationErrors: [{ CheckName: 'BROAD_ACCESS', ErrorMessage: 'grants too much' }],
    });

    // Act
    const put = secretsStore(new SecretsManagerClient({})).putResourcePolicy(secret, policy);

    // Assess
    await expect(put).rejects.toThrow(SecretsStoreError);
    await expect(put).rejects.toThrow(
      `${secret} did not pass ValidateResourcePolicy: BROAD_ACCESS: grants too much`,
    );
    expect(sm.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
  });

  it('skips ValidateResourcePolicy where the API lacks it (the sandbox)', async () => {
    // Prepare
    sm.on(PutResourcePolicyCommand).resolves({});

    // Act
    await secretsStore(new SecretsManagerClient({}), { validatePolicies: false }).putResourcePolicy(
      secret,
      policy,
    );

    // Assess
    expect(sm.commandCalls(ValidateResourcePolicyCommand)).toHaveLength(0);
    expect(sm.commandCalls(PutResourcePolicyCommand)).toHaveLength(1);
  });
});
