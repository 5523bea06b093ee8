import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** DescribeSecret failed for another reason than a missing secret; the message never holds a value. */
export class SecretTagsError extends Error {
  override name = 'SecretTagsError';
}

/**
 * A secret's tags, or undefined when there is no such secret (or it is scheduled for deletion).
 * Its own module with DescribeSecret only, so that a function that only reads tags (the access
 * review) bundles no Secrets Manager write and its role is granted none.
 */
export function secretTags(client: Pick<SecretsManagerClient, 'send'>) {
  return async (secretId: string): Promise<Record<string, string> | undefined> => {
    try {
      const secret = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
      if (secret.DeletedDate !== undefined) return undefined;
      return Object.fromEntries((secret.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw new SecretTagsError(`describing secret ${secretId}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
}
