import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterConfig } from '../domain/config/config';
import { ClusterUnreachableError } from './cluster-unreachable-error';

export interface AwsAccessOptions {
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** AWS endpoint override (the sandbox's moto). */
  awsEndpoint?: string;
  roleSessionName?: string;
}

/**
 * The credentials that reach a cluster's account: the cluster's role, assumed (and kept until shortly
 * before it expires), or the function's own when the config names none.
 */
export function clusterCredentials(options: AwsAccessOptions) {
  const cache = new Map<string, AwsCredentialIdentity>();
  return async function credentialsFor(
    cluster: Pick<ClusterConfig, 'name' | 'region' | 'roleArn' | 'externalId'>,
  ): Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined> {
    if (!cluster.roleArn) return options.credentials;
    const key = `${cluster.roleArn}\n${cluster.externalId ?? ''}`;
    const cached = cache.get(key);
    if (cached && (cached.expiration?.getTime() ?? 0) > Date.now() + 120_000) return cached;
    const sts = new STSClient({
      region: cluster.region,
      credentials: options.credentials,
      endpoint: options.awsEndpoint,
    });
    try {
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: cluster.roleArn,
          RoleSessionName: options.roleSessionName ?? 'eks-access-sync',
          ExternalId: cluster.externalId,
          DurationSeconds: 900,
        }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('no credentials in the answer');
      const credentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
      cache.set(key, credentials);
      return credentials;
    } catch (error) {
      throw new ClusterUnreachableError(
        `assuming ${cluster.roleArn} to reach cluster ${cluster.name}: ${(error as Error).name}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
}
