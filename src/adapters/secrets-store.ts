import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretListEntry,
  type SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
  ValidateResourcePolicyCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsStore, StoredSecret } from '../app/rotation/rotation-ports';
import { managedBy, secretTag } from '../domain/rotation/rotation-ownership';

/** A Secrets Manager call failed. The message names the call and the secret, never a value. */
export class SecretsStoreError extends Error {
  override name = 'SecretsStoreError';
}

/** DescribeSecret and ListSecrets give the same facts, the version stages under different names. */
type Described = Pick<
  DescribeSecretCommandOutput & SecretListEntry,
  'ARN' | 'Name' | 'Tags' | 'DeletedDate'
> & {
  VersionIdsToStages?: Record<string, string[]>;
  SecretVersionsToStages?: Record<string, string[]>;
};

function stored(secret: Described): StoredSecret {
  return {
    arn: secret.ARN ?? '',
    name: secret.Name ?? '',
    tags: Object.fromEntries((secret.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    stages: secret.VersionIdsToStages ?? secret.SecretVersionsToStages ?? {},
    deleted: secret.DeletedDate !== undefined,
  };
}

const notFound = (error: unknown) => (error as Error).name === 'ResourceNotFoundException';

/**
 * Users' kubeconfigs in Secrets Manager: versions, staging labels (AWSPENDING, AWSCURRENT,
 * AWSPREVIOUS) and tags. The client is injected, so tests can wrap it to inject faults.
 */
export function secretsStore(
  client: Pick<SecretsManagerClient, 'send'>,
  options: {
    kmsKeyId?: string | undefined;
    /** false where the API lacks ValidateResourcePolicy (moto); the domain has checked the policy anyway. */
    validatePolicies?: boolean;
  } = {},
): SecretsStore {
  async function call<T>(what: string, secretId: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      // SDK messages name the operation and the secret, never the SecretString sent.
      throw new SecretsStoreError(
        `${what} ${secretId}: ${(error as Error).name}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  return {
    async describe(secretId) {
      try {
        return stored(await client.send(new DescribeSecretCommand({ SecretId: secretId })));
      } catch (error) {
        if (notFound(error)) return undefined;
        throw new SecretsStoreError(`describing secret ${secretId}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async create(name, value, versionId, tags) {
      const created = await call('creating secret', name, () =>
        client.send(
          new CreateSecretCommand({
            Name: name,
            Description: `kubeconfig of external user ${tags[secretTag.user]} on cluster ${tags[secretTag.cluster]}, rotated by eks-access-sync`,
            SecretString: value,
            ClientRequestToken: versionId,
            // A customer-managed key when the stage names one; otherwise the account's aws/secretsmanager key.
            ...(options.kmsKeyId ? { KmsKeyId: options.kmsKeyId } : {}),
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
      return { arn: created.ARN ?? '', name, tags, stages: { [versionId]: ['AWSCURRENT'] }, deleted: false };
    },
    async restore(secretId) {
      await call('restoring secret', secretId, () =>
        client.send(new RestoreSecretCommand({ SecretId: secretId })),
      );
    },
    async value(secretId, versionId) {
      try {
        const got = await client.send(
          new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }),
        );
        return got.SecretString;
      } catch (error) {
        // A version Secrets Manager staged for a rotation has no value until createSecret puts one.
        if (notFound(error)) return undefined;
        throw new SecretsStoreError(`reading version ${versionId} of ${secretId}: ${(error as Error).name}`, {
          cause: error,
        });
      }
    },
    async put(secretId, versionId, value, stages) {
      await call(`putting version ${versionId} (${stages.join(', ')}) of`, secretId, () =>
        client.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            ClientRequestToken: versionId,
            SecretString: value,
            VersionStages: stages,
          }),
        ),
      );
    },
    async moveStage(secretId, label, versionId, fromVersionId) {
      await call(`moving ${label} to version ${versionId} of`, secretId, () =>
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: label,
            MoveToVersionId: versionId,
            ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
          }),
        ),
      );
    },
    async removeStage(secretId, label, versionId) {
      await call(`removing ${label} from version ${versionId} of`, secretId, () =>
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: label,
            RemoveFromVersionId: versionId,
          }),
        ),
      );
    },
    async tag(secretId, tags) {
      await call('tagging secret', secretId, () =>
        client.send(
          new TagResourceCommand({
            SecretId: secretId,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
    },
    async listManaged() {
      const found: StoredSecret[] = [];
      let NextToken: string | undefined;
      do {
        const page = await call('listing secrets tagged', secretTag.managedBy, () =>
          client.send(
            new ListSecretsCommand({
              Filters: [
                { Key: 'tag-key', Values: [secretTag.managedBy] },
                { Key: 'tag-value', Values: [managedBy] },
              ],
              NextToken,
            }),
          ),
        );
        found.push(...(page.SecretList ?? []).map(stored));
        NextToken = page.NextToken;
      } while (NextToken);
      // The filters match the key and the value separately; keep only the pairs that match.
      return found.filter((s) => s.tags[secretTag.managedBy] === managedBy && !s.deleted);
    },
    async resourcePolicy(secretId) {
      const got = await call('reading the resource policy of', secretId, () =>
        client.send(new GetResourcePolicyCommand({ SecretId: secretId })),
      );
      return got.ResourcePolicy || undefined;
    },
    async putResourcePolicy(secretId, policy) {
      if (options.validatePolicies ?? true) {
        const checked = await call('validating the resource policy of', secretId, () =>
          client.send(new ValidateResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: policy })),
        );
        if (!checked.PolicyValidationPassed) {
          const why = (checked.ValidationErrors ?? []).map((e) => `${e.CheckName}: ${e.ErrorMessage}`);
          throw new SecretsStoreError(
            `the resource policy for ${secretId} did not pass ValidateResourcePolicy: ${why.join('; ') || 'no reason given'}`,
          );
        }
      }
      await call('putting the resource policy of', secretId, () =>
        client.send(
          new PutResourcePolicyCommand({
            SecretId: secretId,
            ResourcePolicy: policy,
            BlockPublicPolicy: true,
          }),
        ),
      );
    },
    async deleteResourcePolicy(secretId) {
      await call('deleting the resource policy of', secretId, () =>
        client.send(new DeleteResourcePolicyCommand({ SecretId: secretId })),
      );
    },
    async scheduleDeletion(secretId, recoveryWindowDays) {
      await call('deleting secret', secretId, () =>
        client.send(
          new DeleteSecretCommand({ SecretId: secretId, RecoveryWindowInDays: recoveryWindowDays }),
        ),
      );
    },
  };
}
