import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { SecretTagsError, secretTags } from '../../../src/adapters/secret-tags';

/** A client whose DescribeSecret answers `answer` (or throws it), recording what it was asked. */
function client(answer: unknown) {
  const asked: unknown[] = [];
  const send = async (command: { constructor: { name: string }; input: unknown }) => {
    asked.push([command.constructor.name, command.input]);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { asked, client: { send } as unknown as Pick<SecretsManagerClient, 'send'> };
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe("the review's secret tags (DescribeSecret only)", () => {
  it("reads a secret's tags with DescribeSecret and nothing else", async () => {
    const c = client({ Name: 'eks-access-sync/prod/partner-ci', Tags: [{ Key: 'expires-at', Value: 'x' }] });
    expect(await secretTags(c.client)('eks-access-sync/prod/partner-ci')).toEqual({ 'expires-at': 'x' });
    expect(c.asked).toEqual([['DescribeSecretCommand', { SecretId: 'eks-access-sync/prod/partner-ci' }]]);
  });

  it('gives undefined for a missing secret and for one scheduled for deletion', async () => {
    expect(await secretTags(client(named('ResourceNotFoundException', 'no')).client)('s')).toBeUndefined();
    expect(await secretTags(client({ Tags: [], DeletedDate: new Date() }).client)('s')).toBeUndefined();
  });

  it('fails with SecretTagsError naming the secret and keeping the cause, for any other failure', async () => {
    const denied = named('AccessDeniedException', 'not authorized to perform secretsmanager:DescribeSecret');
    const error = await secretTags(client(denied).client)('eks-access-sync/prod/partner-ci').catch((e) => e);
    expect(error).toBeInstanceOf(SecretTagsError);
    expect(error.name).toBe('SecretTagsError');
    expect(error.message).toBe(
      'describing secret eks-access-sync/prod/partner-ci: not authorized to perform secretsmanager:DescribeSecret',
    );
    expect(error.cause).toBe(denied);
  });
});
