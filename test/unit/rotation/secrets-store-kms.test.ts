import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { secretsStore } from '../../../src/adapters/secrets-store';

describe('secretsStore and the stage KMS key', () => {
  const tags = { 'eks-access-sync:user': 'partner-ci', 'eks-access-sync:cluster': 'prod' };

  it('creates the secret under the customer-managed key the stage names', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(CreateSecretCommand).resolves({ ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x' });
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    await secretsStore(new SecretsManagerClient({}), { kmsKeyId: key }).create('x', '{}', 'v1', tags);

    expect(sm.commandCalls(CreateSecretCommand)[0]?.args[0].input.KmsKeyId).toBe(key);
    sm.restore();
  });

  it('leaves the key to Secrets Manager (aws/secretsmanager) when none is named', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(CreateSecretCommand).resolves({ ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x' });

    await secretsStore(new SecretsManagerClient({})).create('x', '{}', 'v1', tags);

    expect(sm.commandCalls(CreateSecretCommand)[0]?.args[0].input).not.toHaveProperty('KmsKeyId');
    sm.restore();
  });
});
