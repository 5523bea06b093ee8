import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { Middleware } from '@kubernetes/client-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterEndpoint } from '../app/ports';
import { type ClusterAccess, WriteConflictError } from '../app/ports';
import type { ClusterConfig } from '../domain/config/config';
import { clusterCredentials } from './assume-role';
import { ClusterUnreachableError } from './cluster-unreachable-error';
import { renewingEksToken } from './eks-token';
import { explained } from './explain-error';
import { lazyKubernetes } from './kubernetes/on-first-use';

export interface ClusterAccessOptions {
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** AWS endpoint override (the sandbox's moto). */
  awsEndpoint?: string;
  /** Use this endpoint, CA and token for every cluster instead of DescribeCluster + an EKS token (tests). */
  staticEndpoint?: ClusterEndpoint;
  /** The same, for the clusters it answers for (the sandbox's clusters other than its own). */
  staticEndpointFor?: (cluster: ClusterConfig) => ClusterEndpoint | undefined;
  roleSessionName?: string;
  /** Where each cluster's aws-auth lives; tests and benchmarks give each cluster its own namespace. */
  awsAuthNamespace?: (cluster: ClusterConfig) => string;
  /** Passed every request to a cluster's aws-auth (the benchmarks count requests there, not in the port). */
  kubeMiddleware?: (cluster: ClusterConfig) => Middleware[];
}

/**
 * Reaches a cluster as docs/invariants.md says: assume the cluster's role when it lives in another account,
 * DescribeCluster for the endpoint and CA, an EKS token for the bearer.
 */
export function clusterAccess(options: ClusterAccessOptions = {}): ClusterAccess {
  const credentialsFor = clusterCredentials(options);

  async function endpoint(cluster: ClusterConfig): Promise<ClusterEndpoint> {
    const fixed = options.staticEndpoint ?? options.staticEndpointFor?.(cluster);
    if (fixed) return fixed;
    const credentials = await credentialsFor(cluster);
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
    const renewToken = renewingEksToken({
      clusterName: cluster.name,
      region: cluster.region,
      credentials: credentials ?? eks.config.credentials,
    });
    return {
      server: found.endpoint,
      caData: found.certificateAuthority.data,
      token: await renewToken(),
      renewToken,
    };
  }

  return {
    endpoint,
    async awsAuth(cluster) {
      const store = await lazyKubernetes.awsAuthStore(
        await endpoint(cluster),
        options.awsAuthNamespace?.(cluster),
        options.kubeMiddleware?.(cluster),
      );
      return explained(cluster.name, store, (e) => e instanceof WriteConflictError);
    },
  };
}
