import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { type ClusterAccess, WriteConflictError } from '../app/ports';
import type { ClusterConfig } from '../domain/config';
import { eksToken } from './eks-token';
import { explained } from './explain-error';
import { awsAuthStore } from './kubernetes/aws-auth-store';
import { type ClusterEndpoint, kubeClient } from './kubernetes/kube-client';

/** A cluster cannot be reached: missing, not ACTIVE, or its account's role cannot be assumed. */
export class ClusterUnreachableError extends Error {
  override name = 'ClusterUnreachableError';
}

export interface ClusterAccessOptions {
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** AWS endpoint override (the sandbox's moto). */
  awsEndpoint?: string;
  /** Use this endpoint, CA and token for every cluster instead of DescribeCluster + an EKS token (the sandbox). */
  staticEndpoint?: ClusterEndpoint;
  roleSessionName?: string;
  /** Where each cluster's aws-auth lives; tests and benchmarks give each cluster its own namespace. */
  awsAuthNamespace?: (cluster: ClusterConfig) => string;
}

/**
 * Reaches a cluster as design.md says: assume the cluster's role when it lives in another account,
 * DescribeCluster for the endpoint and CA, an EKS token for the bearer.
 */
export function clusterAccess(options: ClusterAccessOptions = {}): ClusterAccess {
  async function endpoint(cluster: ClusterConfig): Promise<ClusterEndpoint> {
    if (options.staticEndpoint) return options.staticEndpoint;
    const credentials = cluster.roleArn ? await assumeRole(cluster) : options.credentials;
    const eks = new EKSClient({ region: cluster.region, credentials, endpoint: options.awsEndpoint });
    const described = await eks
      .send(new DescribeClusterCommand({ name: cluster.name }))
      .catch((error: Error) => {
        throw new ClusterUnreachableError(
          `describing cluster ${cluster.name} in ${cluster.region}: ${error.name}: ${error.message}`,
          {
            cause: error,
          },
        );
      });
    const found = described.cluster;
    if (!found?.endpoint || !found.certificateAuthority?.data) {
      throw new ClusterUnreachableError(
        `cluster ${cluster.name} has no endpoint yet (status ${found?.status ?? 'unknown'})`,
      );
    }
    const token = await eksToken({
      clusterName: cluster.name,
      region: cluster.region,
      credentials: credentials ?? (await eks.config.credentials()),
    });
    return { server: found.endpoint, caData: found.certificateAuthority.data, token: token.token };
  }

  async function assumeRole(cluster: ClusterConfig): Promise<AwsCredentialIdentity> {
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
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (error) {
      throw new ClusterUnreachableError(
        `assuming ${cluster.roleArn} to reach cluster ${cluster.name}: ${(error as Error).name}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  return {
    endpoint,
    async awsAuth(cluster) {
      const store = awsAuthStore(kubeClient(await endpoint(cluster)), options.awsAuthNamespace?.(cluster));
      return explained(cluster.name, store, (e) => e instanceof WriteConflictError);
    },
  };
}
